// `up --wait`: every container of the stack ready — running, healthy when it has a
// healthcheck, or a one-shot that exited 0 — judged from the state records the supervisor
// keeps (model/conditions.ts), so the wait holds no supervisor request open.

import { pollCondition } from '../model/conditions.js';
import { isSameProcess } from '../store/proc-stat.js';
import { readState } from '../store/state-store.js';

/** A container that did not become ready, and why. */
export interface NotReady {
  container: string;
  reason: string;
}

export async function waitReady(project: string, timeoutMs: number | undefined): Promise<NotReady[]> {
  const records = await readState.containers(project);
  const results = await Promise.all(
    records.map(async (r) => {
      const outcome = await pollCondition(
        () => readState.container(project, r.spec.name),
        (rec) => isSameProcess(rec.pid, rec.startTime),
        'ready',
        timeoutMs !== undefined ? { timeoutMs } : {},
      );
      return outcome.met ? undefined : { container: r.spec.name, reason: outcome.reason };
    }),
  );
  return results.filter((r): r is NotReady => r !== undefined);
}
