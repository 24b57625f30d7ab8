// How `stack run` takes its container's addresses: under the host-wide allocation lock that
// every supervisor plans under (supervisor/plan-apply.ts), so a concurrent `up` or `run`
// never hands out the same address. Under the lock it observes the stack, counts what
// applies in progress claim (other stacks' through observe, its own stack's here: `run`
// takes no stack lock, so an `up` of the same stack may be mid-apply), builds the spec and
// writes the container's state record before letting go. That record is the claim: every
// later observe sees its addresses, and it stays until `--rm` or `down` removes the
// container. Its ports are held only while this process lives, until the container has a
// pid of its own (observe-one-off-ports.ts holdsPorts): a run killed between its claim and
// its spawn frees them for the next command, as a killed one-off's are. (A claims.json would not do: there is one per stack, the supervisor's, which
// its apply overwrites and withdraws.)

import { lockAllocation, readLiveClaims } from '../../store/allocation.js';
import { readStartTime } from '../../store/proc-stat.js';
import { createStateStore } from '../../store/state-store.js';
import { withClaims } from '../../model/claims.js';
import type { Observed } from '../../model/observed.js';
import type { ContainerSpec } from '../../model/plan.js';

export async function claimOneOff(
  project: string,
  observe: () => Promise<Observed>,
  build: (observed: Observed) => ContainerSpec,
): Promise<ContainerSpec> {
  const save = async (spec: ContainerSpec) => {
    // This process's own start time: /proc/self is always readable.
    const claimant = { pid: process.pid, startTime: readStartTime(process.pid)! };
    await createStateStore().saveContainer(project, { spec, status: 'creating', claimant });
    return spec;
  };
  // A first build without the lock says what is wrong with the request (no command, a
  // network not made yet) before anything, the lock file included, is written; and a
  // container without addresses (network_mode none, `--image`) needs no lock at all.
  const unlocked = build(await observe());
  if (unlocked.endpoints.length === 0) return save(unlocked);
  const lock = await lockAllocation(`stack run in ${project}: choosing addresses`);
  try {
    const [observed, own] = await Promise.all([observe(), readLiveClaims(project)]);
    return await save(build(own ? withClaims(observed, [own]) : observed));
  } finally {
    lock.release();
  }
}
