// Host['containers']['exec'] on Linux: a process inside a running container. The exec stage
// (dist/exec.cjs, init/exec-main.ts) is spawned into the container's PID namespace through
// a small namespace window; it enters the other namespaces itself and applies the
// container's restrictions before execve. The process is our child, so its exit code is ours
// to report; it dies with the container's PID 1 like any process of that namespace.

import fs from 'node:fs';
import type { Readable } from 'node:stream';
import { ContainerExecError, type ExecOptions, type Host } from '../../host.js';
import { mergeEnv } from '../../../model/environment.js';
import { cgroupProcsFiles } from './cgroups.js';
import { EXEC_ENV, EXEC_STATUS_FD, type ExecConfig } from './init/exec-config.js';
import { spawnInPidNamespace } from './namespace-window.js';
import type { ChildStdio, SpawnedChild } from './spawned-child.js';
import { isSameProcess } from '../../../store/proc-stat.js';
import { openContainerPty } from './pty.js';
import { bridgeTerminal, type TerminalBridge } from './exec-terminal.js';
import { isRunning } from '../../../store/state-store.js';
import { koffiNativePath, stageNodePath, stageScriptPath } from './stage-files.js';
import { encodeNativeExecConfig, NATIVE_STAGE_ARGV0, nativeStageExecutable } from './native-init.js';
import { privilegedRestrictions, processRestrictions } from './init-security.js';
import { raceTimeout } from './race-timeout.js';

/** After the process exits, how long output still held open by its own children is read. */
const DRAIN_MS = 100;

const envRecord = (entries: string[]) =>
  Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

export function createContainerExec(state: Host['state']): Host['containers']['exec'] {
  return async (project, name, opts) => {
    const record = await state.loadContainer(project, name);
    if (!record) throw new ContainerExecError(name, 'find', `stack ${project} has no container ${name}`, 1);
    if (!isRunning(record))
      throw new ContainerExecError(name, 'find', `${name} is not running; start it with \`stack up\``, 1);
    // As docker refuses: on cgroup v2 the process would join a frozen group and hang.
    if (record.paused) throw new ContainerExecError(name, 'find', `${name} is paused; \`stack unpause\` it first`, 1);
    const { spec } = record;
    const pid = record.pid!;
    const config: ExecConfig = {
      container: name,
      koffiNative: koffiNativePath(),
      pid,
      startTime: record.startTime!,
      cgroupProcs: cgroupProcsFiles(project, name, spec.resources.cgroupParent),
      argv: opts.argv,
      env: mergeEnv(spec.env, envRecord((opts.env ?? []).filter((e) => e.indexOf('=') > 0))),
      hostname: spec.hostname,
      user: opts.user ?? spec.user,
      ...(spec.groupAdd ? { groupAdd: spec.groupAdd } : {}),
      cwd: opts.cwd ?? spec.cwd,
      tty: opts.tty === true,
      restrictions: opts.privileged ? privilegedRestrictions(spec) : processRestrictions(spec),
    };
    const { child, terminal } = spawnExecStage(config, opts);
    return opts.detach ? started(name, child) : finish(name, child, terminal, opts);
  };
}

function spawnExecStage(config: ExecConfig, opts: ExecOptions): { child: SpawnedChild; terminal?: TerminalBridge } {
  const pidNs = fs.openSync(`/proc/${config.pid}/ns/pid`, 'r');
  let pty: ReturnType<typeof openContainerPty> | undefined;
  try {
    if (!isSameProcess(config.pid, config.startTime))
      throw new ContainerExecError(config.container, 'find', `${config.container} stopped`, 1);
    pty = config.tty ? openContainerPty(config.pid) : undefined;
    const wiring = opts.detach ? 'ignore' : (opts.stdio ?? 'ignore');
    const io: ChildStdio[] = pty
      ? [pty.slave, pty.slave, pty.slave]
      : wiring === 'inherit'
        ? [0, 1, 2]
        : [wiring, wiring, wiring];
    const stdio: ChildStdio[] = [...io, 'pipe'];
    if (stdio.length !== EXEC_STATUS_FD + 1) throw new Error('exec stage status fd mismatch');
    // The native exec stage when it was built (~2 ms), else the portable Node one; a clean
    // environment either way (inherited variables slow Node's start).
    const native = nativeStageExecutable();
    const child = native
      ? spawnInPidNamespace(pidNs, native, ['exec'], {
          argv0: NATIVE_STAGE_ARGV0,
          stdio,
          detached: opts.detach === true,
          env: { [EXEC_ENV]: encodeNativeExecConfig(config) },
        })
      : spawnInPidNamespace(pidNs, stageNodePath(), [stageScriptPath('exec.cjs')], {
          stdio,
          detached: opts.detach === true,
          env: { [EXEC_ENV]: JSON.stringify(config) },
        });
    return { child, ...(pty ? { terminal: bridgeTerminal(pty.master, opts) } : {}) };
  } catch (err) {
    if (pty) fs.closeSync(pty.master);
    throw err;
  } finally {
    fs.closeSync(pidNs);
    if (pty) fs.closeSync(pty.slave);
  }
}

/**
 * `exec -d`: the status pipe is close-on-exec, so its end without a failure line means the
 * command runs; it is left to run (it is the container's PID 1's to reap once we are gone).
 */
async function started(name: string, child: SpawnedChild): Promise<number> {
  const failure = (await readAll(child.pipes[EXEC_STATUS_FD]!)).split('\n').find((l) => l.trim() !== '');
  if (failure) {
    const report = JSON.parse(failure) as { step: string; message: string };
    throw new ContainerExecError(name, report.step, report.message, await child.exited);
  }
  child.unref();
  return 0;
}

async function finish(
  name: string,
  child: SpawnedChild,
  terminal: TerminalBridge | undefined,
  opts: ExecOptions,
): Promise<number> {
  const kill = () => child.kill('SIGKILL');
  opts.signal?.addEventListener('abort', kill, { once: true });
  if (opts.signal?.aborted) kill();
  const status = readAll(child.pipes[EXEC_STATUS_FD]!);
  const [stdin, stdout, stderr] = child.pipes;
  if (stdin) {
    stdin.on('error', () => {});
    stdin.end(opts.input ?? '');
  }
  stdout?.on('data', (chunk: Buffer) => opts.onOutput?.('stdout', chunk));
  stderr?.on('data', (chunk: Buffer) => opts.onOutput?.('stderr', chunk));
  try {
    const code = await child.exited;
    const drained = Promise.all([
      terminal?.done,
      ...[stdout, stderr].map((s) => s && !s.closed && new Promise((r) => s.once('close', r))),
    ]);
    await raceTimeout(drained, DRAIN_MS, undefined);
    const failure = (await status).split('\n').find((l) => l.trim() !== '');
    if (failure) {
      const report = JSON.parse(failure) as { step: string; message: string };
      throw new ContainerExecError(name, report.step, report.message, code);
    }
    return code;
  } finally {
    opts.signal?.removeEventListener('abort', kill);
    terminal?.close();
    for (const pipe of child.pipes) pipe?.destroy();
  }
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('error', () => resolve(text));
    stream.on('close', () => resolve(text));
  });
}
