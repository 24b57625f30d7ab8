// The exit code of a container whose process has just ended. The supervisor records the exit
// a moment after the process is gone (it reaps it, then writes the record): in between, the
// record still says `running`, and reading its code then would give `undefined`, which callers
// would show as 0. So the code comes from the record once it is written, or from the
// supervisor's die event when the caller hears it first, whichever comes first. `stack wait`
// and `stack attach` both end on this.

import type { ContainerRecord } from '../model/records.js';
import { readState } from '../store/state-store.js';
import type { Clock } from '../supervisor/clock.js';

/** How long an ended container's exit may take to be recorded before we stop waiting. */
export const EXIT_RECORD_WAIT_MS = 5000;
const STEP_MS = 50;

export interface ExitSources {
  /** Reads the container's record now (undefined once it is gone). */
  read: () => Promise<ContainerRecord | undefined>;
  /** Resolves with the code of the container's die event, if the caller listens to events. */
  died?: Promise<number | undefined>;
  /** Tests pass a fake one (test/support/fake-clock.ts). */
  clock?: Pick<Clock, 'after'>;
}

/** The system's, with timers that keep the command alive while it waits (systemClock's do not). */
const commandClock: Pick<Clock, 'after'> = {
  after: (ms, fn) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
const never = new Promise<never>(() => {});

/** The recorded exit code; undefined when no code is known within EXIT_RECORD_WAIT_MS. */
export async function recordedExit({ read, died, clock = commandClock }: ExitSources): Promise<number | undefined> {
  const sleep = (ms: number) => new Promise<void>((resolve) => clock.after(ms, resolve));
  const heard = (died ?? never).then((code) => ({ code }));
  for (let waited = 0; ; waited += STEP_MS) {
    const now = await Promise.race([read().then((record) => ({ record })), heard]);
    if ('code' in now) return now.code;
    // `running` while its process is gone: the supervisor has not written the exit yet.
    if (now.record?.status !== 'running') return now.record?.exitCode;
    if (waited >= EXIT_RECORD_WAIT_MS) return undefined;
    const slept = await Promise.race([sleep(STEP_MS).then(() => undefined), heard]);
    if (slept) return slept.code;
  }
}

/** recordedExit of a stack's container from the state store. */
export function recordedExitOf(project: string, name: string, died?: Promise<number | undefined>) {
  return recordedExit({ read: () => readState.container(project, name).catch(() => undefined), died });
}
