// The host-wide default bridge (model/default-bridge.ts) on Linux: a join marks the stack as
// a user and makes the bridge and its table (masquerade, isolation, the loopback guard,
// like any stack network's, no published port: those are in each stack's own table); the
// last leave removes them. Both hold the allocation lock, so a stack joining and the last
// one leaving never cross. Order keeps a kill -9 at any step convergent: the record is
// written before the bridge and removed after it, and a mark goes on before the bridge is
// made and off before it is removed, so the next `up` or `down` (of any stack, when no mark
// is left) finds what was left and finishes the job.

import type { Host } from '../../host.js';
import type { NatSpec, NetworkSpec } from '../../../model/plan.js';
import { defaultBridgeNames, DEFAULT_BRIDGE_KEY } from '../../../model/default-bridge.js';
import { hashOf } from '../../../model/hash.js';
import { lockAllocation } from '../../../store/allocation.js';
import { defaultBridgeRecords, readDefaultBridge } from '../../../store/default-bridge.js';
import { stackRoot } from '../../../store/paths.js';

/** The default bridge's own table: what every stack network's table holds for its bridge. */
export function defaultBridgeNat(net: Pick<NetworkSpec, 'bridge' | 'subnet'>): NatSpec {
  const shape = {
    project: 'default-bridge',
    table: defaultBridgeNames(stackRoot()).table,
    networks: [{ bridge: net.bridge, subnet: net.subnet, key: DEFAULT_BRIDGE_KEY }],
    ports: [],
  };
  return { ...shape, hash: hashOf(shape) };
}

/** A plan made while another stack remade the bridge differently would put containers on a subnet it no longer has. */
export class DefaultBridgeChangedError extends Error {
  constructor(planned: string, recorded: string) {
    super(
      `the default bridge (network_mode: bridge) has subnet ${recorded} now, not ${planned} as planned: another stack made it meanwhile; run the command again`,
    );
    this.name = 'DefaultBridgeChangedError';
  }
}

export function createLinuxDefaultBridge(networks: Host['networks'], nat: Host['nat']): Host['defaultBridge'] {
  const locked = async (project: string, f: () => Promise<void>) => {
    const lock = await lockAllocation(`supervisor of ${project}: default bridge`);
    try {
      await f();
    } finally {
      lock.release();
    }
  };
  return {
    join: (project, net) =>
      locked(project, async () => {
        const { spec, users } = await readDefaultBridge();
        if (spec && spec.subnet !== net.subnet) throw new DefaultBridgeChangedError(net.subnet, spec.subnet);
        const recorded: NetworkSpec = spec ?? { ...net, owner: undefined };
        delete recorded.owner;
        if (!spec) {
          // A bridge of this name without a record is what a kill -9 or a damaged record
          // left: it may carry another subnet, so it goes before the record names the new
          // one. Not while stacks use it: their containers are on it.
          const others = users.filter((u) => u !== project);
          if (others.length > 0)
            throw new Error(
              `the record of the default bridge (${recorded.bridge}) is missing or damaged while stack(s) ${others.join(', ')} use it; take them down (stack -p NAME down) and bring them up again, which makes it anew`,
            );
          await networks.removeBridge(recorded.bridge);
          await defaultBridgeRecords.saveSpec(recorded);
        }
        await defaultBridgeRecords.mark(project);
        await networks.createBridge(recorded);
        await nat.apply(defaultBridgeNat(recorded));
      }),
    leave: (project) =>
      locked(project, async () => {
        await defaultBridgeRecords.unmark(project);
        const { users } = await readDefaultBridge();
        if (users.length > 0) return;
        const names = defaultBridgeNames(stackRoot());
        await nat.remove(names.table);
        await networks.removeBridge(names.bridge);
        await defaultBridgeRecords.forget();
      }),
  };
}
