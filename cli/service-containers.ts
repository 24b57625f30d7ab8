// The containers a command that names a service acts on (exec, cp, export, commit, attach), as
// docker compose picks them: `--index N` is replica N, the one-off containers of `run` only
// with `--all`; of a replica under recreation, the one serving (store/slot-record.ts's rule,
// which the DNS server and a `network_mode: service:X` join follow too).

import { groupBy } from '../model/group-by.js';
import { containerName } from '../model/names.js';
import { servingRecord } from '../store/slot-record.js';
import { readState } from '../store/state-store.js';
import { containerStatus, type ContainerStatusRow } from '../supervisor/status.js';
import { UsageError } from './usage-error.js';

export interface Pick {
  /** `--index`, as given (1 or more). */
  index?: string;
  /** Also `run`'s one-off containers. */
  all?: boolean;
}

/** The service's containers, by name; a usage error when it has none. */
export async function serviceContainers(
  project: string,
  service: string,
  pick: Pick = {},
): Promise<ContainerStatusRow[]> {
  const [rows, records] = await Promise.all([containerStatus(project), readState.containers(project)]);
  const own = rows.filter((r) => r.service === service);
  if (own.length === 0) {
    const services = [...new Set(rows.map((r) => r.service))];
    throw new UsageError(
      `service ${service} has no container in stack ${project}${services.length ? ` (services with containers: ${services.join(', ')})` : ''}; \`stack up\` creates them`,
    );
  }
  // By the host name (`instance`): under --compatibility the shown name is `project_service_1`.
  const oneOff = (r: ContainerStatusRow) => r.instance.startsWith(`${project}-${service}-run-`);
  let chosen = own.filter((r) => pick.all || !oneOff(r));
  if (pick.index !== undefined) {
    const index = Number(pick.index);
    if (!Number.isInteger(index) || index < 1)
      throw new UsageError(`--index takes a replica number (1 or more), not "${pick.index}"`);
    const slot = containerName(project, service, index);
    chosen = own.filter((r) => r.name === slot || r.instance.replace(/\.b$/, '') === slot);
    if (chosen.length === 0) throw new UsageError(`service ${service} has no replica ${index} (no container ${slot})`);
  }
  // One per slot: the serving one of a slot whose replacement runs beside it.
  const serving = new Set(
    [...groupBy(records, (r) => r.spec.displayName ?? r.spec.name).values()].map(
      (list) => servingRecord(list)!.spec.name,
    ),
  );
  const byName = new Map<string, ContainerStatusRow>();
  for (const r of chosen) if (!byName.has(r.name) || serving.has(r.instance)) byName.set(r.name, r);
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}
