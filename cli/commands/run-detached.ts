// `stack run -d`: someone must wait for the one-off to record its exit code, take its
// published ports away and, with --rm, remove it when it ends, as compose's run -d does
// (docker's daemon waits there). stack has no daemon: the command starts a copy of itself
// in a session of its own (the watcher), which runs the one-off as an attached run does,
// with the output to the container's log, and stays its parent until it exits. This
// process relays the watcher's output until the one-off runs, prints its name and returns;
// a one-off that could not start is the watcher's exit code, as for an attached run. A
// killed watcher leaves a running container whose record `down` removes, and whose ports
// the next plan frees once it is gone (executor/host/linux/observe-one-off-ports.ts).

import { createRequire } from 'node:module';

const WATCHER_ENV = 'STACK_RUN_WATCHER';
/** The line the watcher writes once the one-off runs: a NUL no program output starts a line with here. */
const STARTED = '\u0000stack-run-started ';

export const isRunWatcher = (): boolean => process.env[WATCHER_ENV] === '1';

/** In the watcher: the one-off runs; the parent prints its name and returns. The pipes close then: ignore EPIPE. */
export function reportStarted(name: string): void {
  process.stdout.write(`${STARTED}${name}\n`);
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
}

/**
 * In the command: starts the watcher with our own arguments; resolves with our exit code.
 * node:child_process is loaded here, not at the top: the one-shot `stack run` loads this
 * module and starts no watcher (its container's spawn is to need no child_process either).
 */
export function runThroughWatcher(): Promise<number> {
  const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, [WATCHER_ENV]: '1' },
  });
  child.stderr.pipe(process.stderr, { end: false });
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const at = pending.indexOf(STARTED);
      if (at < 0) {
        const line = pending.lastIndexOf('\n');
        process.stdout.write(pending.slice(0, line + 1));
        pending = pending.slice(line + 1);
        return;
      }
      const end = pending.indexOf('\n', at);
      if (end < 0) return;
      process.stdout.write(`${pending.slice(0, at)}${pending.slice(at + STARTED.length, end)}\n`);
      // The watcher stays; this process leaves it its session.
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      resolve(0);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.stdout.write(pending);
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
    });
  });
}
