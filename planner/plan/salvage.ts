// Removal of what a stack owns without a readable record (observed.unrecorded): a record
// damaged or deleted by hand, a disk that filled mid-write. Nothing of such an object can be
// trusted but its name, so it is stopped and removed by name, before anything else of the
// plan: `up` then makes it afresh (never a second copy beside one still running) and `down`
// leaves nothing. Other stacks' damaged records were skipped; the notes say which.

import type { Observed } from '../../model/observed.js';
import type { Operation } from '../../model/plan.js';

/** What a container without its record gets: docker's default stop, as nothing else is known. */
const UNKNOWN_STOP = { stopSignal: 'SIGTERM', stopGraceSeconds: 10 };

/** The removals of unrecorded objects, in order (containers, then what they were attached to). */
export function salvageOperations(observed: Observed, timeoutSeconds?: number): Operation[] {
  return [...unrecordedRemovals(observed, timeoutSeconds), ...staleOneOffUnpublish(observed)];
}

/** The tables of one-offs whose `stack run` died before it could take them away: their ports go free. */
function staleOneOffUnpublish(observed: Observed): Operation[] {
  return (observed.staleOneOffTables ?? []).map((t) => ({
    kind: 'ports.unpublish',
    id: `unpublish:${t.table}`,
    cause: `one-off ${t.container} no longer runs; its published ports are freed`,
    after: [],
    project: observed.project,
    container: t.container,
    table: t.table,
  }));
}

function unrecordedRemovals(observed: Observed, timeoutSeconds?: number): Operation[] {
  const u = observed.unrecorded;
  if (!u) return [];
  const project = observed.project;
  const cause = 'no readable record: removed by name';
  const containers: Operation[] = u.containers.map((c) => ({
    kind: 'container.remove',
    id: `salvage:${c.name}`,
    cause,
    after: [],
    project,
    name: c.name,
    ...UNKNOWN_STOP,
    ...(timeoutSeconds !== undefined ? { stopGraceSeconds: timeoutSeconds } : {}),
    hostVeths: c.hostVeths,
  }));
  const afterContainers = containers.map((o) => o.id);
  const rest: Operation[] = [
    ...(u.natTable
      ? [{ kind: 'nat.remove' as const, id: 'salvage-nat', cause, after: afterContainers, project, table: u.natTable }]
      : []),
    ...u.networks.map((n) => ({
      kind: 'network.remove' as const,
      id: `salvage-network:${n.key}`,
      cause,
      after: afterContainers,
      project,
      key: n.key,
      bridge: n.bridge,
    })),
  ];
  return [...containers, ...rest];
}

/** The notes that name every damaged record, this stack's and the skipped ones of others. */
export function salvageNotes(observed: Observed): string[] {
  return [
    ...(observed.unrecorded?.damaged ?? []).map((d) => `${d}; what it described is removed by name`),
    ...(observed.skippedRecords ?? []).map((d) => `skipped: ${d} (another stack's; its own commands report it)`),
  ];
}
