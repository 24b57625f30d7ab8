// The down of a stack whose folder vanished under its running supervisor (stack-folder-watch.ts).
// Its records are gone, so observe finds the stack's objects by the names stack gives them
// (executor/host/linux/observe-unrecorded.ts: container groups, the nft table, the bridges
// and veths of the network keys its table's comments name), and the Host stops the
// containers this supervisor spawned from what it holds of them in memory (their pids),
// the rest through their cgroups. The plan is the one `down` makes (teardown.ts, whose
// salvage part removes what has no record); nothing is journaled, as the journal was in the
// folder that is gone, and nothing may make that folder again. Then the cgroups observe cannot
// name (`cgroup_parent` groups, an empty `stack/<project>` level: leftover-cgroups.ts).

import type { Host } from '../executor/host.js';
import type { ContainerHooks } from '../executor/container-hooks.js';
import { execute } from '../executor/execute.js';
import { teardown } from '../planner/plan/teardown.js';

export async function downOrphaned(
  project: string,
  host: Host,
  hooks: ContainerHooks,
  log: (line: string) => void,
): Promise<void> {
  const observed = await host.observe(project);
  const plan = teardown(observed);
  const removed = plan.operations.filter((op) => op.kind !== 'stack.forget').map((op) => op.id);
  log(`the stack's folder is gone: taking the stack down by name (${removed.join(', ') || 'nothing left'})`);
  await execute(
    plan,
    host,
    {
      event: (e) => {
        if (e.type === 'failed') log(`taking the stack down: ${e.id} failed: ${e.message}`);
      },
    },
    { hooks },
  );
  const cgroups = await host.removeLeftoverCgroups(project);
  if (cgroups.length > 0) log(`taking the stack down: removed ${cgroups.join(', ')}`);
}
