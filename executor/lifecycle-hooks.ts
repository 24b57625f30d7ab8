// Compose's lifecycle hooks, run inside a container through the exec stage (Host exec, as
// `stack exec` runs a command): `post_start` once the container's command runs and before
// its start counts as done (so what depends on it starts after the hooks), `pre_stop`
// before the stop signal of a deliberate stop (stop, down, a recreate's removal). One at a
// time, in the file's order.
//
// A failing post_start fails the start as docker compose's does (`up` exits non-zero with
// "post_start hook exited with status N", what depends on it does not start) and, as
// there, the container keeps running: it did start. A failing pre_stop does not keep the
// container from stopping (compose's `down` would fail and leave it running; a stop must
// always be possible): the failure is a warning of the operation.

import type { ContainerSpec } from '../model/plan.js';
import type { ServiceHook } from '../model/lifecycle-hooks.js';
import { ContainerExecError, type Host } from './host.js';

/** What a failed hook said, last lines only. */
const OUTPUT_TAIL = 2000;

/** A post_start hook of a started container failed (its container keeps running, as with compose). */
export class LifecycleHookError extends Error {
  readonly container: string;
  readonly hook: 'pre_start' | 'post_start' | 'pre_stop';
  /** 1-based position in the list. */
  readonly index: number;
  readonly exitCode: number;
  constructor(
    container: string,
    hook: 'pre_start' | 'post_start' | 'pre_stop',
    index: number,
    exitCode: number,
    detail: string,
  ) {
    super(`${container}: ${hook} hook ${index} exited with status ${exitCode}${detail ? `: ${detail}` : ''}`);
    this.name = 'LifecycleHookError';
    this.container = container;
    this.hook = hook;
    this.index = index;
    this.exitCode = exitCode;
  }
}

async function runHook(
  host: Host,
  spec: ContainerSpec,
  which: 'pre_start' | 'post_start' | 'pre_stop',
  hook: ServiceHook,
  index: number,
): Promise<void> {
  let output = '';
  const keep = (_stream: string, chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL));
  let code: number;
  try {
    code = await host.containers.exec(spec.project, spec.name, {
      argv: hook.command,
      env: Object.entries(hook.environment).map(([k, v]) => `${k}=${v}`),
      ...(hook.user !== undefined ? { user: hook.user } : {}),
      ...(hook.workingDir !== undefined ? { cwd: hook.workingDir } : {}),
      ...(hook.privileged ? { privileged: true } : {}),
      stdio: 'pipe',
      onOutput: keep,
    });
  } catch (err) {
    // Not started: its user or command is unknown (126/127 as docker), or the container is gone.
    if (!(err instanceof ContainerExecError) || (which === 'pre_stop' && err.step === 'find')) throw err;
    throw new LifecycleHookError(spec.name, which, index, err.exitCode, err.detail);
  }
  if (code !== 0) throw new LifecycleHookError(spec.name, which, index, code, output.trim());
}

/** Runs the container's post_start hooks in order; the first that fails throws a LifecycleHookError. */
export async function runPostStartHooks(host: Host, spec: ContainerSpec): Promise<void> {
  for (const [i, hook] of (spec.postStart ?? []).entries()) await runHook(host, spec, 'post_start', hook, i + 1);
}

/**
 * Runs the pre_stop hooks of a running container in order, before its stop signal; nothing
 * for one that is not running (it has nothing to flush). Resolves with a warning for a
 * hook that failed (the ones after it are not run).
 */
export async function runPreStopHooks(host: Host, project: string, name: string): Promise<string[]> {
  const record = await host.state.loadContainer(project, name);
  if (!record?.spec.preStop || record.status !== 'running') return [];
  // A paused container is thawed first: a hook's process would join its frozen cgroup and
  // never return (the stop thaws it anyway, but only after the hooks).
  await host.containers.freeze(project, name, false);
  try {
    for (const [i, hook] of record.spec.preStop.entries()) await runHook(host, record.spec, 'pre_stop', hook, i + 1);
    return [];
  } catch (err) {
    // Its command exited meanwhile: nothing left to run the hooks in, and nothing to warn about.
    if (err instanceof ContainerExecError && err.step === 'find') return [];
    if (!(err instanceof LifecycleHookError)) throw err;
    return [`${err.message}; it was stopped anyway`];
  }
}
