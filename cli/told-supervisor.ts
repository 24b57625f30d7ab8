// `up` of a project named before its file is read (-p, or COMPOSE_PROJECT_NAME in the
// process's environment, which wins over `.env`): the supervisor bin/stack started early is
// told its project under the stack's lock before the CLI loads the stack file, and takes its
// own lock, serves its socket, adopts and starts its watchdog while the CLI reads, checks and
// interpolates the file. A first `up` then meets a supervisor that is ready (before: told
// after the file, ~8 ms of set-up on the critical path, ~12 in slow phases).
//
// Until the CLI hands the stack over (it connects to apply), the supervisor has done nothing
// but boot for a stack that may never come: a broken file, a refused flag, or a stack that
// first pulls or builds (seconds, during which a Ctrl-C would leave a supervisor of nothing)
// discards it (client.ts: SIGTERM, and what its start made is removed), as a refused plan does.

import { projectNameProblem } from '../planner/load/project-name.js';
import { startSupervisor, type StartingSupervisor } from '../supervisor/client.js';
import type { EarlySupervisor } from '../supervisor/launch.js';
import type { GlobalOptions } from './stack-file.js';

export interface ToldSupervisor {
  readonly project: string;
  readonly starting: StartingSupervisor;
  /** `handed over` once `up` connects to apply: from then on the apply's own error handling decides. */
  state: 'told' | 'handed over' | 'discarded';
}

/** The project the command line or the environment names for certain; undefined where only the file can say. */
export function namedProject(globals: GlobalOptions): string | undefined {
  const named = globals.projectName ?? (process.env.COMPOSE_PROJECT_NAME || undefined);
  return named !== undefined && projectNameProblem(named) === undefined ? named : undefined;
}

/** Tells `early` its project now, if it still waits for one. */
export function tellEarly(project: string, early: EarlySupervisor | undefined): ToldSupervisor | undefined {
  if (!early?.untold() || early.exited()) return undefined;
  return { project, starting: startSupervisor(project, early), state: 'told' };
}

/** Stops and undoes a told supervisor not yet handed the stack; once only. */
export async function discardTold(told: ToldSupervisor | undefined): Promise<void> {
  if (told?.state !== 'told') return;
  told.state = 'discarded';
  await told.starting.discard();
}

/** Runs `body`; a failure before the hand-over discards the told supervisor. */
export async function discardUnlessHandedOver<T>(told: ToldSupervisor | undefined, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    await discardTold(told);
    throw err;
  }
}
