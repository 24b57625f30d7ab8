// What an apply in progress takes from the host that another stack must not take too: the
// subnets of the networks it creates, the host ports of its NAT table and the addresses of
// the containers it starts. The supervisor publishes them under the host-wide allocation
// lock before it executes the plan and withdraws them after (supervisor/plan-apply.ts);
// observe counts other stacks' claims as taken. State records alone would not do: each is
// written only when its operation runs, a container's maybe seconds later (after the
// healthcheck of a dependency), and a stack planning meanwhile would hand out the same.

import type { ForeignPort, Observed, ObservedDefaultBridge } from './observed.js';
import type { NetworkSpec, Plan } from './plan.js';
import { heldPort } from './port-holders.js';

export interface Claims {
  subnets: string[];
  ports: Omit<ForeignPort, 'project'>[];
  /** Container addresses, by the bridge they sit on (that bridge may be another stack's). */
  addresses: { bridge: string; ip: string }[];
  /** The bridges of the networks it makes: a custom name (com.docker.network.bridge.name) is taken from the plan on. */
  bridges: string[];
  /** The default bridge the apply makes, when it is the first to (its subnet is in `subnets`). */
  defaultBridge?: NetworkSpec;
}

export interface ProjectClaims extends Claims {
  project: string;
}

export function claimsOf(plan: Plan): Claims {
  const claims: Claims = { subnets: [], ports: [], addresses: [], bridges: [] };
  for (const op of plan.operations) {
    if (op.kind === 'network.create') {
      claims.subnets.push(op.network.subnet);
      claims.bridges.push(op.network.bridge);
    }
    if (op.kind === 'bridge.join') {
      claims.subnets.push(op.network.subnet);
      claims.defaultBridge = op.network;
    }
    if (op.kind === 'nat.apply') claims.ports.push(...op.nat.ports.map(heldPort));
    if (op.kind === 'container.start' || op.kind === 'container.create')
      claims.addresses.push(...op.container.endpoints.map((e) => ({ bridge: e.bridge, ip: e.ip })));
  }
  return claims;
}

/** `observed` with what `others` (other stacks' applies in progress) claim counted as taken. */
export function withClaims(observed: Observed, others: ProjectClaims[]): Observed {
  if (others.length === 0) return observed;
  const ipsOn = (bridge: string, held: string[] | undefined) => {
    const claimed = others.flatMap((c) => c.addresses.filter((a) => a.bridge === bridge).map((a) => a.ip));
    return [...new Set([...(held ?? []), ...claimed])];
  };
  return {
    ...observed,
    takenSubnets: [...new Set([...observed.takenSubnets, ...others.flatMap((c) => c.subnets)])],
    claimedBridges: [
      ...(observed.claimedBridges ?? []),
      ...others.flatMap((c) => (c.bridges ?? []).map((bridge) => ({ bridge, project: c.project }))),
    ],
    foreignPorts: [
      ...(observed.foreignPorts ?? []),
      ...others.flatMap((c) => c.ports.map((p) => ({ ...p, project: c.project }))),
    ],
    networks: observed.networks.map((n) => {
      const foreignIps = ipsOn(n.bridge, n.foreignIps);
      return foreignIps.length > 0 ? { ...n, foreignIps } : n;
    }),
    ...(observed.foreignNetworks
      ? { foreignNetworks: observed.foreignNetworks.map((f) => ({ ...f, usedIps: ipsOn(f.bridge, f.usedIps) })) }
      : {}),
    ...(observed.defaultBridge ? { defaultBridge: withClaimedBridge(observed.defaultBridge, others, ipsOn) } : {}),
  };
}

/**
 * The default bridge with the addresses other applies claim on it, and, when it is not
 * recorded yet, the spec an apply that makes it claims: every stack then plans on one subnet.
 */
function withClaimedBridge(
  seen: ObservedDefaultBridge,
  others: ProjectClaims[],
  ipsOn: (bridge: string, held: string[]) => string[],
): ObservedDefaultBridge {
  const spec = seen.spec ?? others.find((c) => c.defaultBridge?.bridge === seen.bridge)?.defaultBridge;
  return { ...seen, ...(spec ? { spec } : {}), usedIps: ipsOn(seen.bridge, seen.usedIps) };
}
