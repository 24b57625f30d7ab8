// A supervisor that dies (a crash, kill -9, the OOM killer) leaves its containers running
// with nobody serving their names, checking their health or restarting them. Its watchdog
// starts the next one: a shell (`/bin/sh`, ~0.5 MB of memory, no Node) that waits on a pipe
// whose other end only the supervisor holds. The kernel closes that end when the supervisor
// dies, however it dies; `read` returns and the shell becomes the new supervisor (exec),
// which adopts the containers and starts a watchdog of its own. So there is one watchdog per
// stack, never one per container, and no process polls anything.
//
// A supervisor that leaves on purpose (the stack is down, SIGTERM) ends its watchdog first.
// Why per stack and not one per host: nothing to share or elect, a stack's watchdog lives
// and dies with it, and it needs no code of its own beyond these lines.

import { spawnChild } from '../executor/host/linux/spawned-child.js';

/** In the watchdog's command line, before the project: how `ps` and tests know it. */
export const WATCHDOG_NAME = 'stack-watchdog';

/**
 * `$1` the project, then node, its flags and the supervisor's script. `read` returns at EOF
 * (the supervisor is gone); the new supervisor gets /dev/null as its stdin, as the CLI gives.
 */
const SCRIPT = 'read -r _; project=$1; shift; exec "$@" "$project" </dev/null';

/**
 * A supervisor that crashes soon after every start would be started again and again:
 * after this many in a row, each within QUICK_CRASH_MS of its start, the last one gets
 * no watchdog (the next `stack` command starts a supervisor, and its log says why).
 */
export const MAX_QUICK_CRASHES = 5;
export const QUICK_CRASH_MS = 2000;

/** What a supervisor hands its successor through the watchdog's environment. */
const STARTED_ENV = 'STACK_SUPERVISOR_PREVIOUS_START_MS';
const CRASHES_ENV = 'STACK_SUPERVISOR_QUICK_CRASHES';

/**
 * How many supervisors in a row before this one crashed soon after their start: 0 unless
 * a watchdog started this one (`env` then says when its predecessor started). Pure.
 */
export function quickCrashes(env: NodeJS.ProcessEnv, now: number): number {
  const started = Number(env[STARTED_ENV]);
  if (!Number.isFinite(started) || now - started >= QUICK_CRASH_MS) return 0;
  return (Number(env[CRASHES_ENV]) || 0) + 1;
}

export interface Watchdog {
  /** Ends it: this supervisor leaves on purpose and must not be replaced. */
  stop(): void;
}

/**
 * Starts the watchdog of this supervisor of `project` (run as `node <script> <project>`),
 * which started at `startedMs` after `crashes` quick crashes of its predecessors.
 */
export function startWatchdog(project: string, startedMs: number, crashes: number): Watchdog {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  env[STARTED_ENV] = String(startedMs);
  env[CRASHES_ENV] = String(crashes);
  // Without a fork (posix_spawn): it starts while the first `up` waits for this supervisor's
  // answer, and child_process's fork of the whole supervisor held its main thread ~4 ms
  // (the CLI's request came in meanwhile). Its cwd is this process's, `/` as the CLI and the
  // last watchdog start supervisors.
  let child: ReturnType<typeof spawnChild>;
  try {
    child = spawnChild(
      '/bin/sh',
      ['-c', SCRIPT, WATCHDOG_NAME, project, process.execPath, ...process.execArgv, process.argv[1]!],
      {
        env,
        // Its own session: a signal to the supervisor's process group does not reach it.
        detached: true,
        // fd 0 a socket whose other end only this process holds; its stdout and stderr are
        // this supervisor's (supervisor.log): so are the next one's.
        stdio: ['pipe', 1, 2],
      },
    );
  } catch {
    return { stop: () => {} }; // no /bin/sh: the stack runs without one, as before
  }
  const end = child.pipes[0]!;
  end.on('error', () => {});
  // Neither keeps this process alive; the socket's end stays open as long as it runs.
  child.unref();
  end.unref();
  return {
    stop: () => {
      child.kill('SIGKILL');
    },
  };
}
