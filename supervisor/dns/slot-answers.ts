// Whom the DNS server answers for a slot (`<project>-<service>-<n>`) while a replacement runs
// beside the old container (planner/plan/plan-instances.ts): the replacement once it is ready
// (healthy, or with its ports accepting connections when it has no healthcheck), the old
// one until then. Answering both would send a share of the service's clients to a container
// that may never get ready. Both are containers of the stack all along, though: each gets
// answers for its neighbours' names, the starting replacement and the draining old one alike.

import { conditionState } from '../../model/conditions.js';
import type { ContainerRecord } from '../../model/records.js';
import { isRunning } from '../../store/state-store.js';
import { groupBy } from '../../model/group-by.js';
import type { TableEntry } from './name-table.js';

/** One entry per record; `answered: false` for the one of two in a slot whose names go to the other. */
export function tableEntries(records: ContainerRecord[]): TableEntry[] {
  const bySlot = groupBy(records, (r) => `${r.spec.project}/${r.spec.displayName ?? r.spec.name}`);
  return [...bySlot.values()].flatMap((list) => {
    const answering = answeringRecord(list);
    return list.map((r) => ({ spec: r.spec, ...(r === answering ? {} : { answered: false }) }));
  });
}

function answeringRecord(list: ContainerRecord[]): ContainerRecord {
  if (list.length === 1) return list[0]!;
  // Newest first: the replacement started after the container it replaces.
  const byAge = [...list].sort((a, b) => (b.startTime ?? Infinity) - (a.startTime ?? Infinity));
  return byAge.find((r) => conditionState(r, isRunning(r), 'ready').state === 'met') ?? byAge.at(-1)!;
}
