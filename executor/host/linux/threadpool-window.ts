// Container spawns off the supervisor's main thread. A spawn into new namespaces blocks the
// thread that makes it: unshare of five namespaces (~0.7–1.8 ms, a new network namespace
// mostly), then posix_spawn, which returns only once the child has exec'd (0.3–5 ms: the
// child may wait for a CPU behind another process while its parent's CPU sits idle), then
// setns back. On the main thread that was ~2–3 ms per container start (medians; tails to
// 10 ms) during which nothing else of an `up` moved (docs/cli.md, "A first `up`: the spawns
// off the main thread"). Here the whole window is one C call (native/window/window.c, built
// into dist/libstack-window.so) made through koffi's async calls, so it runs on a libuv
// threadpool thread, which is on the host (namespace-window.ts) and comes back there; the
// main thread only makes the fds and arguments. The five windows of an `up` run side by side
// (up to the threadpool's four threads): queued one after the other, each waited for the
// main thread to see the last one done, between its other work.
//
// Without the library (no C compiler at build: the Node init stage runs then anyway, or run
// from the sources), the window stays on the calling thread, as namespace-window.ts has it.

import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { koffi } from './koffi.js';
import { nativeStageExecutable } from './native-init.js';
import { spawnInNewNamespaces, windowPlan, type NamespaceChoices } from './namespace-window.js';
import { spawnArguments, SpawnFailedError, type PosixSpawnRequest } from './posix-spawn.js';
import { spawnChildElsewhere, type ChildOptions, type SpawnedChild } from './spawned-child.js';
import { SyscallError } from './syscall-error.js';

const LIBRARY = fileURLToPath(new URL('../../../libstack-window.so', import.meta.url));

/** native/window/window.c's steps. */
const STEP = { unshare: 1, spawn: 2, join: 100 } as const;

type WindowCall = {
  async: (...args: unknown[]) => void;
};

let call: WindowCall | null | undefined;

/**
 * `file`'s stk_spawn_in_window; null where there is no such library, or one that does not load
 * (built for another machine, damaged): then every window stays on the calling thread, as
 * without it, rather than every container start failing (exported for its tests).
 */
export function loadWindowCall(file: string): WindowCall | null {
  if (!fs.existsSync(file)) return null;
  try {
    return koffi
      .load(file)
      .func(
        'int stk_spawn_in_window(int unshare_flags, const int *join_fds, const int *join_types, int njoin, const int *back_fds, const int *back_types, int nback, int root_fd, int cwd_fd, const char *path, const uint8_t *actions, const uint8_t *attr, const char **argv, const char **envp, _Out_ int *pid, _Out_ int *step)',
      ) as unknown as WindowCall;
  } catch {
    return null;
  }
}

/** The library's stk_spawn_in_window, or undefined where it was not built (exported for its tests). */
export function windowCall(): WindowCall | undefined {
  if (call === undefined) call = loadWindowCall(LIBRARY);
  return call ?? undefined;
}

/**
 * What a supervisor that `up` started early does for its container starts while it waits
 * for its project: the library loaded, and the native stage's sealed copy made
 * (sealed-stage.ts: ~0.8 ms of the first start otherwise). A copy that fails here fails
 * that start instead.
 */
export function warmContainerStarts(): void {
  windowCall();
  try {
    nativeStageExecutable();
  } catch {
    // the first start makes it, or reports why it cannot
  }
}

/**
 * koffi 3.3.4's async calls, two or more at once, came back with a wrong out parameter (the
 * pid: 0, 32, 176…) or crashed the process when one call's arrays did not fit its argument
 * heap (128 KiB; seen from ~9000 argv and env entries, never below 8000): a wrong pid is
 * waited for, signalled and recorded. A container's start passes one env entry and one or
 * two argv; a spawn with more than this many stays on the calling thread
 * (test/host/threadpool-window-long-lists.test.ts).
 */
const MAX_ASYNC_ENTRIES = 64;

/**
 * spawnInNewNamespaces with its window on a threadpool thread when the library was built,
 * else here, as before. Either way the child is a child of this process, reaped here.
 */
export async function spawnContainerProcess(
  command: string,
  args: string[],
  options: ChildOptions,
  choices: NamespaceChoices = {},
): Promise<SpawnedChild> {
  const fn = windowCall();
  if (!fn || args.length + Object.keys(options.env).length > MAX_ASYNC_ENTRIES)
    return spawnInNewNamespaces(command, args, options, choices);
  return spawnChildElsewhere(command, args, options, (request) => inWindowOnThreadpool(fn, request, choices));
}

function inWindowOnThreadpool(fn: WindowCall, request: PosixSpawnRequest, choices: NamespaceChoices): Promise<number> {
  const plan = windowPlan(choices);
  const spawn = spawnArguments(request);
  const pid = [0];
  const step = [0];
  return new Promise<number>((resolve, reject) => {
    fn.async(
      plan.unshareFlags,
      plan.joins.map((j) => j.fd),
      plan.joins.map((j) => j.flag),
      plan.joins.length,
      plan.back.map((b) => b.fd),
      plan.back.map((b) => b.flag),
      plan.back.length,
      plan.root,
      plan.cwd,
      ...spawn.args,
      pid,
      step,
      (err: unknown, rc: number) => {
        spawn.done();
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        if (rc === 0) return resolve(pid[0]!);
        const at = step[0]!;
        if (at === STEP.spawn) return reject(new SpawnFailedError(request.path, rc));
        if (at === STEP.unshare) return reject(new SyscallError('unshare', rc, [plan.unshareFlags]));
        const join = plan.joins[at - STEP.join];
        reject(new SyscallError('setns', rc, join ? [join.fd, join.flag] : []));
      },
    );
  });
}
