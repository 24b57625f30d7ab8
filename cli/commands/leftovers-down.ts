// `stack down` of a project without records (its stack folder removed under a running stack)
// still removes what carries the project's name: a supervisor and watchdog serving it under
// this STACK_ROOT (which could not take the stack down itself, e.g. stopped), and what
// observe finds by name (container cgroups and their processes, the nft table and one-off
// tables, the bridges and veths of the network keys the table's comments name, a
// container's mounts). The down itself is the usual one, through a new supervisor whose
// teardown's salvage part removes objects without a record. The cgroups observe cannot name
// (`cgroup_parent` groups, an empty `stack/<project>` level) are removed here first, through
// the Host (executor/host/linux/leftover-cgroups.ts).

import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import type { Observed } from '../../model/observed.js';
import type { Plan } from '../../model/plan.js';
import { endStrayProcesses, strayProcesses } from '../../supervisor/stray-supervisors.js';

export interface Leftovers {
  /** The supervisor and watchdog processes ended, as `supervisor PID`, and the cgroups removed. */
  ended: string[];
}

/** Undefined when nothing of the project is left; otherwise its stray processes are ended already. */
export async function endLeftoverProcesses(project: string): Promise<Leftovers | undefined> {
  const stray = strayProcesses(project);
  const ended = [
    ...stray.supervisors.map((pid) => `supervisor ${pid}`),
    ...stray.watchdogs.map((pid) => `watchdog ${pid}`),
  ];
  await endStrayProcesses(stray);
  const host = createLinuxHost();
  // After the supervisors: the processes in those groups are their children.
  ended.push(...(await host.removeLeftoverCgroups(project)));
  if (ended.length > 0) return { ended };
  return hasUnrecorded(await host.observe(project)) ? { ended } : undefined;
}

const hasUnrecorded = (o: Observed) => !!o.unrecorded || (o.staleOneOffTables?.length ?? 0) > 0;

/** What the down of the leftovers removed, in words: `stack X had no records; removed its leftover …`. */
export function leftoversLine(project: string, leftovers: Leftovers, plan: Plan | undefined): string {
  const removed = [...leftovers.ended];
  for (const op of plan?.operations ?? []) {
    if (op.kind === 'container.remove')
      removed.push(
        `container ${op.name} (cgroups, processes${op.hostVeths.length ? `, veths ${op.hostVeths.join(' ')}` : ''})`,
      );
    else if (op.kind === 'nat.remove') removed.push(`nft table ${op.table}`);
    else if (op.kind === 'ports.unpublish') removed.push(`nft table ${op.table}`);
    else if (op.kind === 'network.remove') removed.push(`bridge ${op.bridge}`);
  }
  return `stack ${project} had no records; removed its leftover ${removed.join(', ') || 'run folder'}`;
}
