// A new supervisor adopts the containers a dead one left running: it is not their parent,
// so it asks the host to watch them (executor/host/linux/adopted-containers.ts) and
// records their exit like any other. It also takes over the restarts the dead one still
// owed: the records of exited containers say which.

import type { Host } from '../executor/host.js';
import { isRunning, readState } from '../store/state-store.js';

/**
 * Adopts the containers recorded as running; returns those still alive. One that died while
 * no supervisor ran is adopted too: its exit is reported at once (code unknown), recorded,
 * and its restart policy applies as to any exit.
 */
export async function adoptRunning(project: string, host: Host): Promise<string[]> {
  const adopted: string[] = [];
  // A container whose record is damaged is not adopted: the next up or down removes it by name.
  for (const r of (await readState.containerDir(project)).records) {
    if (r.status !== 'running' || !r.pid || r.startTime === undefined) continue;
    const alive = isRunning(r);
    host.containers.adopt(project, r.spec.name, r.pid, r.startTime);
    if (alive) adopted.push(r.spec.name);
  }
  return adopted;
}

/**
 * The containers whose record says they exited and were not stopped on purpose, under a
 * restart policy: a dead supervisor may have been waiting out the backoff before their
 * restart (the restart policy decides again, from the record's exit code and count).
 */
export async function exitedUnderPolicy(project: string): Promise<string[]> {
  const records = (await readState.containerDir(project)).records;
  return records
    .filter((r) => r.status === 'exited' && !r.stopped && r.spec.restart.name !== 'no')
    .map((r) => r.spec.name);
}
