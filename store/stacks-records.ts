// The records of several stacks, as one stack's observe and DNS read them: a damaged
// record is skipped and named, never a reason for another stack's command to fail (only
// its own stack's commands stop on it).

import type { ContainerRecord } from '../model/records.js';
import type { NatSpec, NetworkSpec } from '../model/plan.js';
import { readState } from './state-store.js';

export interface StacksRecords {
  containers: ContainerRecord[];
  networks: NetworkSpec[];
  nat: NatSpec[];
  /** What is wrong with each damaged record skipped (its path first). */
  skipped: string[];
}

export async function readStacks(
  projects: string[],
  what: { containers?: boolean; networks?: boolean; nat?: boolean } = { containers: true, networks: true, nat: true },
): Promise<StacksRecords> {
  const out: StacksRecords = { containers: [], networks: [], nat: [], skipped: [] };
  const read = await Promise.all(
    projects.map((p) =>
      Promise.all([
        what.containers ? readState.containerDir(p) : undefined,
        what.networks ? readState.networkDir(p) : undefined,
        what.nat ? readState.natRecord(p) : undefined,
      ]),
    ),
  );
  // In the order of `projects`, so that what observe derives from them does not vary.
  for (const [containers, networks, nat] of read) {
    out.containers.push(...(containers?.records ?? []));
    out.networks.push(...(networks?.records ?? []));
    if (nat?.record) out.nat.push(nat.record);
    out.skipped.push(
      ...[...(containers?.damaged ?? []), ...(networks?.damaged ?? []), ...(nat?.damaged ? [nat.damaged] : [])].map(
        (e) => e.message,
      ),
    );
  }
  return out;
}
