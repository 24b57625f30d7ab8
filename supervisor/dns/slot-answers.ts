// Whom the DNS server answers for a slot (`<project>-<service>-<n>`) while a replacement runs
// beside the old container (planner/plan-instances.ts): the replacement once it is ready
// (healthy, or running without a healthcheck), the old one until then. Answering both would
// send a share of the service's clients to a container that may never get ready.

import { conditionState } from '../../executor/conditions.js';
import type { ContainerRecord } from '../../executor/host.js';
import { isRunning } from '../../executor/host/linux/state-store.js';
import { groupBy } from '../../planner/group-by.js';

export function answeringRecords(records: ContainerRecord[]): ContainerRecord[] {
  const bySlot = groupBy(records, (r) => `${r.spec.project}/${r.spec.displayName ?? r.spec.name}`);
  return [...bySlot.values()].map((list) => {
    if (list.length === 1) return list[0]!;
    // Newest first: the replacement started after the container it replaces.
    const byAge = [...list].sort((a, b) => (b.startTime ?? Infinity) - (a.startTime ?? Infinity));
    return byAge.find((r) => conditionState(r, isRunning(r), 'ready').state === 'met') ?? byAge.at(-1)!;
  });
}
