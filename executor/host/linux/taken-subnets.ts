// The subnets a new network must avoid, read without a whole observe: a build's network is
// made at its first RUN step, and an observe (every stack's records, images, volumes, host
// ports) would cost that step tens of milliseconds for the one list it needs.

import { readClaims } from '../../../store/allocation.js';
import { readState } from '../../../store/state-store.js';
import { takenSubnets } from './observe-network.js';
import { readDefaultBridge } from '../../../store/default-bridge.js';

/** The host's routes and addresses, other stacks' recorded networks and their claims, the default bridge's. */
export async function subnetsTaken(project: string): Promise<string[]> {
  const [host, projects, claims, defaultBridge] = await Promise.all([
    takenSubnets(),
    readState.projects(),
    readClaims(project),
    readDefaultBridge(),
  ]);
  // Damaged records of other stacks are skipped, as observe skips them.
  const others = await Promise.all(projects.filter((p) => p !== project).map((p) => readState.networkDir(p)));
  return [
    ...new Set([
      ...host,
      ...others.flatMap((d) => d.records.flatMap((n) => [n.subnet, ...(n.subnet6 ? [n.subnet6] : [])])),
      ...claims.flatMap((c) => c.subnets),
      ...(defaultBridge.spec ? [defaultBridge.spec.subnet] : []),
    ]),
  ];
}
