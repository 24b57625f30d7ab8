// NAT part of reconcile: one nftables table per stack with masquerade for every network
// and a DNAT rule per published port. Applied when its hash differs from the recorded
// one or the table vanished from the host (drift); removed when no network of its own and
// no published port is left.

import type { Observed } from '../../model/observed.js';
import type { NatSpec, NetworkSpec, Operation, PortRule } from '../../model/plan.js';
import type { Stack } from '../../model/types.js';
import { hashOf } from '../../model/hash.js';
import { natTableName } from '../../model/names.js';

/** `ports`: the DNAT rules of the containers that will exist after the plan (plan-ports.ts); the apply or removal of the table, if either is needed. */
export function planNat(
  stack: Stack,
  observed: Observed,
  ports: PortRule[],
  nets: Map<string, NetworkSpec>,
): { operations: Operation[] } {
  const nat = natSpec(stack, ports, nets);
  if (!nat) {
    if (!observed.nat) return { operations: [] };
    return {
      operations: [
        {
          kind: 'nat.remove',
          id: 'nat-remove',
          cause: 'no network or published port needs NAT any more',
          after: [],
          project: stack.project,
          table: observed.nat.table,
        },
      ],
    };
  }
  if (observed.nat?.present && observed.nat.hash === nat.hash) return { operations: [] };
  const cause = !observed.nat
    ? 'published ports and egress need NAT rules'
    : !observed.nat.present
      ? `drift: nftables table ${nat.table} is missing on the host, or its rules were flushed or deleted, or a firewall lost the accepts stack keeps in its chains`
      : 'published ports or networks changed';
  return { operations: [{ kind: 'nat.apply', id: 'nat', cause, after: [], nat }] };
}

export function natSpec(stack: Stack, ports: PortRule[], nets: Map<string, NetworkSpec>): NatSpec | undefined {
  // Networks joined with `external: true` are the rules of the stack that made them
  // (masquerade, isolation, route_localnet on the bridge). A stack whose services sit only
  // on such networks still publishes its ports, as docker does: the DNAT rules go in its
  // own table and lead to the container's address on the joined bridge, where the owner's
  // rules carry the traffic as for the owner's own published ports.
  const own = [...nets.values()].filter((n) => n.owner === undefined);
  if (own.length === 0 && ports.length === 0) return undefined;
  const networks = own.map((n) => ({
    bridge: n.bridge,
    subnet: n.subnet,
    ...(n.subnet6 ? { subnet6: n.subnet6 } : {}),
    key: n.key,
    ...(n.internal ? { internal: true } : {}),
  }));
  const shape = { project: stack.project, table: natTableName(stack.project), networks, ports };
  return { ...shape, hash: hashOf(shape) };
}
