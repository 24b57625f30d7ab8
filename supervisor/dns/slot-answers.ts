// Whom the DNS server answers for a slot (`<project>-<service>-<n>`) while a replacement runs
// beside the old container (planner/plan/plan-instances.ts): the replacement once it is ready
// (healthy, or with its ports accepting connections when it has no healthcheck), the old
// one until then. Answering both would send a share of the service's clients to a container
// that may never get ready. Both are containers of the stack all along, though: each gets
// answers for its neighbours' names, the starting replacement and the draining old one alike.
// Which one serves is store/slot-record.ts's rule, shared with `exec` and the like.

import type { ContainerRecord } from '../../model/records.js';
import { servingRecord } from '../../store/slot-record.js';
import { groupBy } from '../../model/group-by.js';
import type { TableEntry } from './name-table.js';

/** One entry per record; `answered: false` for the one of two in a slot whose names go to the other. */
export function tableEntries(records: ContainerRecord[]): TableEntry[] {
  const bySlot = groupBy(records, (r) => `${r.spec.project}/${r.spec.displayName ?? r.spec.name}`);
  return [...bySlot.values()].flatMap((list) => {
    const answering = servingRecord(list);
    return list.map((r) => ({ spec: r.spec, ...(r === answering ? {} : { answered: false }) }));
  });
}
