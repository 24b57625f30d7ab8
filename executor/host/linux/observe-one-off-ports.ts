// The host ports one-offs publish (`stack run -p`/`-P`): DNAT rules in a table of each
// one-off's own (names.ts oneOffTableName), described by its record (spec.oneOffPorts).
// A one-off holds its ports while it runs, and from its claim (the record written under
// the allocation lock, cli/commands/run-claim.ts) until its process exists, so two runs
// never take one port; a claim whose `stack run` was killed before the spawn holds nothing. A one-off that no longer runs but whose table is still there (its
// `stack run` was killed with -9 before it could unpublish), or a table no readable record
// owns, is stale: the next plan of its stack removes it (planner/plan/salvage.ts); `down`
// and `rm` remove it with the container.

import type { ForeignPort } from '../../../model/observed.js';
import type { ContainerRecord } from '../../../model/records.js';
import { heldPort } from '../../../model/port-holders.js';
import { oneOffTableName, oneOffTablePrefix } from '../../../model/names.js';
import { isSameProcess } from '../../../store/proc-stat.js';

/** Running, or claimed and not spawned yet (no pid) by a `stack run` that still runs: its ports are taken. */
export function holdsPorts(r: ContainerRecord): boolean {
  if (r.status === 'exited') return false;
  if (r.pid !== undefined) return isSameProcess(r.pid, r.startTime);
  // Records from before claims named their claimant hold until `down`, as they did.
  return r.status !== 'running' && (!r.claimant || isSameProcess(r.claimant.pid, r.claimant.startTime));
}

/** The ports held by the one-offs of `records` (any stack's), as other plans see them. */
export function oneOffHeldPorts(records: readonly ContainerRecord[]): ForeignPort[] {
  return records
    .filter((r) => r.spec.oneOffPorts && holdsPorts(r))
    .flatMap((r) =>
      r.spec.oneOffPorts!.map((p) => ({
        ...heldPort(p),
        project: r.spec.project,
        oneOff: r.spec.displayName ?? r.spec.containerName ?? r.spec.name,
      })),
    );
}

/**
 * The one-off tables of `project` on the host that no one-off holding its ports owns: its
 * `stack run` was killed (its record says so), or its record is damaged or gone.
 */
export async function staleOneOffTables(
  project: string,
  records: readonly ContainerRecord[],
  /** A record of the stack is damaged, or something of it has none (observe-unrecorded.ts). */
  damagedRecords: boolean,
  /** The host's `ip` tables (observe-network.ts ipTableNames), listed once per observe. */
  tables: Promise<Set<string>>,
): Promise<{ container: string; table: string }[]> {
  // Every observe of every stack comes here: without a one-off that had ports, or a record
  // that cannot be read, no table can be left, and the kernel is not asked.
  if (!damagedRecords && !records.some((r) => r.spec.oneOffPorts)) return [];
  const prefix = oneOffTablePrefix(project);
  const stale = [...(await tables)].filter((t) => t.startsWith(prefix));
  if (stale.length === 0) return [];
  const owners = new Map(
    records.filter((r) => r.spec.oneOffPorts).map((r) => [oneOffTableName(project, r.spec.name), r]),
  );
  return stale
    .filter((t) => {
      const owner = owners.get(t);
      return !owner || !holdsPorts(owner);
    })
    .map((t) => ({ container: owners.get(t)?.spec.name ?? '(no record)', table: t }));
}
