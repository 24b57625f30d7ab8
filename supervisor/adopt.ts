// A new supervisor adopts the containers a dead one left running: it is not their parent,
// so it asks the host to watch them (executor/host/linux/adopted-containers.ts) and
// records their exit like any other.

import type { Host } from '../executor/host.js';
import { isRunning, readState } from '../executor/host/linux/state-store.js';

export async function adoptRunning(project: string, host: Host): Promise<string[]> {
  const adopted: string[] = [];
  for (const r of await readState.containers(project)) {
    if (!isRunning(r) || !r.pid || r.startTime === undefined) continue;
    host.containers.adopt(project, r.spec.name, r.pid, r.startTime);
    adopted.push(r.spec.name);
  }
  return adopted;
}
