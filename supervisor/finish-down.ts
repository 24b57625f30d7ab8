// After a `down` that kept a network other stacks still join (planner/plan/teardown.ts), this
// supervisor stays to serve that network's names. Once no other stack uses it any more, it
// finishes the down itself — the network, its rules, the stack's state — and exits, so
// nothing lingers after the last user leaves (a later `down` of this stack still does the
// same). Checked every CHECK_MS while armed, in the request queue (never beside a request),
// under the stack's lock (a command changing the stack meanwhile goes first) and the
// allocation lock (no stack plans to join meanwhile), and only after two checks in a row
// found the networks free. Disarmed once the stack has containers again.

import type { Host } from '../executor/host.js';
import type { Journal } from '../executor/journal.js';
import { tryStackLock } from '../store/stack-lock.js';
import { teardown } from '../planner/plan/teardown.js';
import { executeJournaled } from './journaled-execute.js';
import type { ControlServer } from './server.js';

const CHECK_MS = 2000;

export interface FinishDownOptions {
  project: string;
  host: Host;
  journal: (project: string) => Journal;
  dns: { reload(): Promise<void> };
  run: ControlServer['run'];
  log: (line: string) => void;
  checkMs?: number;
}

export interface FinishDown {
  /** A down kept a network for other stacks: watch for it to be free. */
  arm(): void;
  /** Stops checking (the stack has containers again, or the down was finished). */
  disarm(): void;
}

export function finishDownWhenFree(opts: FinishDownOptions): FinishDown {
  let timer: NodeJS.Timeout | undefined;
  /** Checks in a row that found the networks free: one is not enough (see check). */
  let freeChecks = 0;
  const disarm = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    freeChecks = 0;
  };
  const check = async (): Promise<'continue' | 'exit'> => {
    if (!timer) return 'continue';
    const lock = tryStackLock(opts.project, 'stack supervisor (finishing down)');
    if (!lock) return 'continue';
    // Under the allocation lock too: no other stack plans to join the network meanwhile
    // (an apply that has planned holds claims, which observe counts as users).
    const allocation = await opts.host.allocation.lock(opts.project);
    let forgotten = false;
    try {
      const observed = await opts.host.observe(opts.project);
      if (observed.containers.length > 0) {
        disarm(); // the stack was brought up again meanwhile; a later down arms it again
        return 'continue';
      }
      const plan = teardown(observed);
      // Free twice in a row: a joiner that recreates its container stop-first, or runs
      // down and up, has no record for a moment.
      freeChecks = plan.operations.some((op) => op.kind === 'stack.forget') ? freeChecks + 1 : 0;
      if (freeChecks < 2) return 'continue';
      opts.log('the networks kept for other stacks are no longer used: finishing the down');
      await executeJournaled(
        plan,
        opts.host,
        { event: (e) => e.type === 'failed' && opts.log(`finishing the down: ${e.id} failed: ${e.message}`) },
        opts.journal(opts.project),
      );
      await opts.dns.reload();
      forgotten = true;
      disarm();
      return 'exit';
    } finally {
      allocation.release();
      lock.release({ removeFile: forgotten });
    }
  };
  return {
    arm() {
      timer ??= setInterval(
        () => void opts.run(check).catch((err: unknown) => opts.log(`finishing the down failed: ${String(err)}`)),
        opts.checkMs ?? CHECK_MS,
      );
    },
    disarm,
  };
}
