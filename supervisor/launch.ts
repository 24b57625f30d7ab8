// How the CLI starts a supervisor process: the bundled file and its environment — and, for
// `up`, a start before the project is known. A supervisor boots in ~55 ms (Node start and
// module loading) while the CLI spends about as long loading its own modules and the stack
// file; started early with `--project-from-stdin`, the supervisor loads its modules
// meanwhile and learns its project on stdin once the CLI knows it (EOF: not needed, it
// exits). Only small modules here: the CLI loads this before anything else.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_NAME_LENGTH } from '../model/name-limits.js';
import { paths, stackRun } from '../store/paths.js';
import { earlyChildSupervisor, handOver, takeHandedOver, type EarlySupervisor } from './early-handle.js';

export type { EarlySupervisor } from './early-handle.js';

/**
 * The supervisor's loader (from dist/supervisor/), which runs it as one bundled file with a
 * code cache (bin/stack-supervisor.js, scripts/bundle-cli.mjs): it starts ~40 ms faster
 * than dist/supervisor/main.js with its ~40 modules.
 */
export const supervisorMain = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../bin/stack-supervisor.js',
);

export const PROJECT_FROM_STDIN = '--project-from-stdin';

/**
 * A blank argument after PROJECT_FROM_STDIN. Once it knows its project, an early supervisor
 * sets its title to the command line of one started knowing it (`node SCRIPT PROJECT`, main.ts),
 * which is how `ps` and stray-supervisors.ts tell its stack; but a title never grows past the
 * command line the process started with, and a name longer than `--project-from-stdin` was cut
 * short. This leaves room for the longest project name (bin/early-supervisor.sh passes the same).
 */
export const TITLE_ROOM = ' '.repeat(MAX_NAME_LENGTH);

/**
 * glibc's allocator settings for the supervisor, read by glibc when the process starts
 * (so in its environment, not set from inside). glibc gives each thread that mallocs its
 * own arena, up to 8 per core: the supervisor's libuv threadpool (async fs, libnftables
 * through koffi) and V8's worker threads made 7 of them, each keeping a few MB of freed
 * chunks between requests that malloc_trim (malloc-trim.ts) only returns after a request.
 * Two arenas share those chunks instead: over 300 restart/exec/edit operations the memory
 * outside the JS heap and malloc's live chunks stayed at 2-3 MB instead of growing to
 * 6-10 MB (bench/supervisor-memory.mjs). A value the caller set is kept. The watchdog
 * starts the next supervisor with this environment (watchdog.ts).
 */
export const SUPERVISOR_MALLOC_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/**
 * The supervisor's environment: ours with SUPERVISOR_MALLOC_ENV, except NODE_EXTRA_CA_CERTS, which costs ~35 ms at
 * every node start (node parses the whole CA file before running any code) while the
 * supervisor makes no TLS connections today. It is passed on as STACK_EXTRA_CA_CERTS
 * instead: whatever later makes TLS connections in the supervisor (image pulls) must load
 * that file itself (e.g. `tls.rootCertificates` plus its contents as the `ca` option).
 */
export function supervisorEnv(): NodeJS.ProcessEnv {
  const env = { ...SUPERVISOR_MALLOC_ENV, ...process.env };
  if (env.NODE_EXTRA_CA_CERTS !== undefined) {
    env.STACK_EXTRA_CA_CERTS ??= env.NODE_EXTRA_CA_CERTS;
    delete env.NODE_EXTRA_CA_CERTS;
  }
  return env;
}

/**
 * Whether `up` should start a supervisor ahead of time: when none serves its stack (`project`,
 * if the command line names it for certain), or else when none runs on this host (STACK_RUN
 * holds no socket). Then the stack being brought up surely needs one, and a no-op `up` of a
 * running stack never pays for a start it does not use. A socket left by a killed supervisor
 * only costs that `up` the early start: the `up` action starts one when it finds none.
 */
export function wantsEarlySupervisor(project?: string): boolean {
  if (project !== undefined) return !fs.existsSync(paths.socket(project));
  const run = stackRun();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(run);
  } catch {
    /* nothing runs yet */
  }
  return !entries.some((e) => fs.existsSync(path.join(run, e, 'supervisor.sock')));
}

/** Starts a supervisor for `up` ahead of time, if wantsEarlySupervisor(project). */
export function startEarlySupervisor(project?: string): EarlySupervisor | undefined {
  if (!wantsEarlySupervisor(project)) return undefined;
  // In the temp folder, not STACK_RUN: an `up` that stops at a broken file leaves nothing.
  const bootLog = path.join(os.tmpdir(), `stack-supervisor-boot-${process.pid}.log`);
  let out: number;
  try {
    // The temp folder is everyone's: a new file only (never one put there, nor a link), root's alone.
    out = fs.openSync(bootLog, 'wx+', 0o600);
  } catch {
    return undefined; // started when the project is known instead
  }
  fs.rmSync(bootLog, { force: true });
  // No node flags: the supervisor sets its V8 flags itself, once its modules are loaded (v8-settings.ts).
  const child = spawn(process.execPath, [supervisorMain, PROJECT_FROM_STDIN, TITLE_ROOM], {
    detached: true,
    stdio: ['pipe', out, out],
    cwd: '/',
    env: supervisorEnv(),
  });
  // The CLI may end without using it (a broken file, nothing to do): never wait for it.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  child.stdin?.on('error', () => {});
  return earlyChildSupervisor(child, out);
}

/**
 * For bin/stack.js, first thing for an `up` (launch.cjs, this module bundled alone): starts
 * the early supervisor ~20 ms sooner than the `up` action can, before the CLI's bundle, its
 * cache and commander load, and leaves it for earlySupervisorForUp. Where bin/stack, the shell,
 * started one already, bin/stack.js took that one (early-handle.cjs) and this is not called.
 */
export function startBeforeCli(project?: string): void {
  handOver(startEarlySupervisor(project));
}

/** The `up` action's early supervisor: the one bin/stack.js took or started, or one started now. */
export function earlySupervisorForUp(): EarlySupervisor | undefined {
  const handed = takeHandedOver();
  return handed.given ? handed.early : startEarlySupervisor();
}

/** All a file descriptor's file holds, read from its start whatever the fd's offset. */
export function readWholeFile(fd: number): Buffer {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(64 * 1024);
  for (let pos = 0; ;) {
    const n = fs.readSync(fd, buf, 0, buf.length, pos);
    if (n === 0) return Buffer.concat(chunks);
    chunks.push(Buffer.from(buf.subarray(0, n)));
    pos += n;
  }
}

/** Early supervisors whose boot output this process closed: the number may be another file's since. */
const bootOutputClosed = new WeakSet<EarlySupervisor>();

/** What an early supervisor wrote before it learnt its project ('' once its output is closed here). */
export function bootOutputText(early: EarlySupervisor): string {
  return bootOutputClosed.has(early) ? '' : readWholeFile(early.bootOutput).toString('utf8');
}

/**
 * The CLI is done with an early supervisor's output (it knows its project, or is gone). Once
 * only: a second close of the number would close whatever the kernel gave it to next (an
 * `up` that discarded its told supervisor and started another lost its connection so).
 */
export function closeBootOutput(early: EarlySupervisor): void {
  if (bootOutputClosed.has(early)) return;
  bootOutputClosed.add(early);
  try {
    fs.closeSync(early.bootOutput);
  } catch {
    /* closed already */
  }
}

/**
 * Ends an early supervisor that `up` did not hand a project to (a broken file, a refused
 * plan): it has loaded modules and nothing else, so SIGKILL loses nothing. Waits for it to
 * be gone, so a refused `up` returns with the host as it found it.
 */
export async function retireEarlySupervisor(early: EarlySupervisor): Promise<void> {
  if (!early.untold()) return; // told its project (or let go) already: not ours to end
  if (!early.exited()) {
    early.kill('SIGKILL');
    await early.gone();
  }
  early.letGo();
  closeBootOutput(early);
}
