// `up --wait`: every container of the stack ready — running, healthy when it has a
// healthcheck, or a one-shot that exited 0 — judged from the state records the supervisor
// keeps (model/conditions.ts), so the wait holds no supervisor request open.

import { pollCondition } from '../model/conditions.js';
import { isSameProcess } from '../store/proc-stat.js';
import { readState } from '../store/state-store.js';
import { EXIT } from './errors.js';
import { UsageError } from './usage-error.js';

/** A container that did not become ready, and why. */
export interface NotReady {
  container: string;
  reason: string;
}

/** `services`: only their containers (default: every one of the stack). */
export async function waitReady(
  project: string,
  timeoutMs: number | undefined,
  services: string[] = [],
): Promise<NotReady[]> {
  const records = (await readState.containers(project)).filter(
    (r) => services.length === 0 || services.includes(r.spec.service),
  );
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

/** `--wait-timeout SECONDS` as given (more than 0), or undefined when not given. */
export function waitTimeoutSeconds(value: string | undefined): number | undefined {
  const seconds = value === undefined ? undefined : Number(value);
  if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0))
    throw new UsageError(`--wait-timeout takes seconds (more than 0), not "${value}"`);
  return seconds;
}

/** `up --wait`, `start --wait`: 0 once the containers are ready, else 1 naming each that is not. */
export async function waitUntilReady(
  project: string,
  timeoutSeconds: number | undefined,
  services: string[] = [],
): Promise<number> {
  const notReady = await waitReady(project, timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000, services);
  if (notReady.length === 0) {
    process.stderr.write(`stack ${project} is ready\n`);
    return EXIT.ok;
  }
  for (const n of notReady) process.stderr.write(`stack: container ${n.container} ${n.reason}\n`);
  return EXIT.error;
}
