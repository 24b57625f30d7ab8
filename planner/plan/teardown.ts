// The plan of `down`: remove everything the state records name, from the records alone,
// so it works even when the stack file changed or is gone.

import type { Observed } from '../../model/observed.js';
import { hashOf } from '../../model/hash.js';
import type { Operation, Plan } from '../../model/plan.js';
import { salvageNotes, salvageOperations } from './salvage.js';
import { leaveOperation } from './default-bridge.js';

export interface TeardownOptions {
  /** Overrides every container's stop grace period (`down -t N`). */
  timeoutSeconds?: number;
  /** `down -v`: also remove the volumes the stack created (named and anonymous; never external ones). */
  removeVolumes?: boolean;
}

export function teardown(observed: Observed, opts: TeardownOptions = {}): Plan {
  // What no readable record describes goes by name (salvage.ts); the records' objects after.
  const operations: Operation[] = salvageOperations(observed, opts.timeoutSeconds);
  const removeIds: string[] = operations.map((o) => o.id);
  for (const c of observed.containers) {
    const id = `remove:${c.name}`;
    removeIds.push(id);
    operations.push({
      kind: 'container.remove',
      id,
      cause: 'down',
      after: [],
      project: observed.project,
      name: c.name,
      stopSignal: c.stopSignal,
      stopGraceSeconds: opts.timeoutSeconds ?? c.stopGraceSeconds,
      hostVeths: c.endpoints.map((e) => e.hostVeth),
    });
  }
  const networkIds: string[] = [];
  // Used by another stack: its containers joined it, or an apply of it in progress claims
  // an address on it (its containers are about to join).
  const inUse = (n: Observed['networks'][number]) => !!(n.foreignUsers?.length || n.foreignIps?.length);
  const kept = new Set(observed.networks.filter(inUse).map((n) => n.key));
  const nat = observed.nat;
  if (nat && kept.size > 0 && nat.networks) {
    // A network that stays keeps its rules (egress, isolation, the resolver's port): the
    // containers of other stacks on it keep working. No published port is left to keep.
    const shape = {
      project: observed.project,
      table: nat.table,
      networks: nat.networks.filter((n) => n.key !== undefined && kept.has(n.key)),
      ports: [],
    };
    operations.push({
      kind: 'nat.apply',
      id: 'nat',
      cause: 'down: only the rules of the networks that stay',
      after: removeIds,
      nat: { ...shape, hash: hashOf(shape) },
    });
  } else if (nat) {
    operations.push({
      kind: 'nat.remove',
      id: 'nat-remove',
      cause: 'down',
      after: removeIds,
      project: observed.project,
      table: nat.table,
    });
    networkIds.push('nat-remove');
  }
  const notes: string[] = [];
  const salvageNoted = salvageNotes(observed);
  for (const n of observed.networks) {
    if (inUse(n)) {
      // As docker refuses to remove a network with active endpoints: the bridge and its
      // record stay for the containers that joined it, and a later `down` removes them.
      const who = n.foreignUsers?.length
        ? `${n.foreignUsers.join(', ')} of other stacks still use it`
        : 'an apply of another stack in progress is joining it';
      notes.push(
        `network ${n.name} stays: ${who} (external: true); it keeps working for them, and this stack's supervisor removes it once they have left`,
      );
      continue;
    }
    const id = `network-remove:${n.key}`;
    networkIds.push(id);
    operations.push({
      kind: 'network.remove',
      id,
      cause: 'down',
      after: removeIds,
      project: observed.project,
      key: n.key,
      bridge: n.bridge,
    });
  }
  const bridge = observed.defaultBridge;
  if (bridge && (bridge.users.includes(observed.project) || (bridge.users.length === 0 && bridge.leftover))) {
    // Its mark comes off (the last user's removes the bridge); a bridge no stack marks any
    // more (a leave killed half-way) goes with whichever stack comes down next.
    const leave = leaveOperation(observed.project, bridge, 'down');
    leave.after.push(...removeIds);
    networkIds.push(leave.id);
    operations.push(leave);
  }
  if (opts.removeVolumes) {
    // Volumes carry the project that created them; external ones were never created by stack.
    for (const v of observed.volumes.filter((vol) => vol.project === observed.project)) {
      const id = `volume-remove:${v.name}`;
      networkIds.push(id);
      operations.push({
        kind: 'volume.remove',
        id,
        cause: `down -v${v.anonymous ? ' (anonymous volume)' : ''}`,
        after: removeIds,
        project: observed.project,
        name: v.name,
      });
    }
  }
  // The stack's records stay while one of its networks does, so that `down` finds it again.
  if (notes.length === 0)
    operations.push({
      kind: 'stack.forget',
      id: 'forget',
      cause: 'down',
      after: [...removeIds, ...networkIds],
      project: observed.project,
    });
  return { project: observed.project, operations, notes: [...salvageNoted, ...notes] };
}
