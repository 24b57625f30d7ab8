// Networks part of reconcile: keep each network whose config hash matches the file and
// whose bridge is as stack left it, create missing ones on a subnet nothing else uses,
// recreate changed or vanished ones (drift), remove the ones the file dropped. `external: true` networks are joined: found among the
// networks other stacks made, never created or removed by this one.

import type { ForeignNetwork, Observed, ObservedNetwork } from '../../model/observed.js';
import type { NetworkSpec, Operation } from '../../model/plan.js';
import type { Network, Stack } from '../../model/types.js';
import {
  chooseSubnet,
  subnetPrefixFor,
  contains,
  defaultGateway,
  normalizeCidr,
  overlaps,
  parseCidr,
  unusableAddress,
} from '../../model/ipam.js';
import { bridgeName } from '../../model/names.js';
import { networkHash } from '../../model/hash.js';
import { replicaCount } from './plan-replicas.js';
import { planDefaultBridge } from './default-bridge.js';
import { DEFAULT_BRIDGE_KEY } from '../../model/default-bridge.js';
import { bridgeNameClashes, labelsChanged, withNetworkOptions } from './network-options.js';
import { ipv6Of, withIpv6 } from './network-ipv6.js';

export interface PlannedNetworks {
  /** Every network a container may join, the external ones included. */
  specs: Map<string, NetworkSpec>;
  operations: Operation[];
  /** Ids of network.create operations that make a bridge (anew): its containers are rewired. */
  createIds: string[];
  /** What keeps the networks from being made as the file says. */
  problems: string[];
}

/** `scale`: `up --scale svc=N`, which sizes a new subnet as the file's replica counts do. */
export function planNetworks(stack: Stack, observed: Observed, scale?: Record<string, number>): PlannedNetworks {
  const specs = new Map<string, NetworkSpec>();
  const operations: Operation[] = [];
  const createIds: string[] = [];
  const problems: string[] = [];
  const taken = [...observed.takenSubnets];

  for (const net of stack.networks) {
    if (net.external) {
      const joined = joinExternal(net, observed.foreignNetworks ?? []);
      if ('problem' in joined) problems.push(joined.problem);
      else specs.set(net.key, joined.spec);
      continue;
    }
    const wanted = wantedSettings(net, taken);
    if ('problems' in wanted) {
      problems.push(...wanted.problems);
      continue;
    }
    const seen = observed.networks.find((n) => n.key === net.key);
    // An existing network keeps its subnet unless the file names another one.
    const prefix = subnetPrefixFor(containersOn(stack, net.key, scale));
    const subnet =
      wanted.subnet ??
      (seen ? seen.subnet : chooseSubnet([...taken, ...[...specs.values()].map((s) => s.subnet)], prefix));
    if (!subnet) {
      problems.push(
        `network ${net.key}: no free /${prefix} left in 10.123.0.0/16; set ipam.config subnet in the stack file`,
      );
      continue;
    }
    const v6 = ipv6Of(stack.project, net, seen, [...taken, ...[...specs.values()].flatMap((s) => s.subnet6 ?? [])]);
    if (v6 && 'problem' in v6) {
      problems.push(v6.problem);
      continue;
    }
    const spec = withIpv6(specOf(stack.project, net, subnet, net.gateway ?? defaultGateway(subnet)), v6);
    specs.set(net.key, spec);
    const changed = seen && !sameConfig(seen, spec);
    const relabel = seen && !changed && seen.linkPresent && labelsChanged(seen, spec);
    if (seen && !changed && seen.linkPresent && !relabel) continue;
    if (changed) {
      operations.push({
        kind: 'network.remove',
        id: `network-remove:${net.key}`,
        cause: `configuration of network ${net.key} changed`,
        after: [],
        project: stack.project,
        key: net.key,
        bridge: seen.bridge,
      });
    }
    const id = `network:${net.key}`;
    // A relabelled bridge stays as it is: its containers need no rewiring.
    if (!relabel) createIds.push(id);
    const cause = !seen
      ? `network ${net.key} does not exist yet`
      : relabel
        ? `labels of network ${net.key} changed (only its record changes)`
        : changed
          ? `configuration of network ${net.key} changed${seen.subnet !== spec.subnet ? ` (subnet ${seen.subnet} → ${spec.subnet})` : ''}`
          : `drift: bridge ${seen.bridge} of network ${net.key} is missing or misconfigured on the host`;
    operations.push({ kind: 'network.create', id, cause, after: [], network: spec });
  }

  for (const gone of observed.networks.filter((n) => !stack.networks.some((s) => s.key === n.key && !s.external))) {
    operations.push({
      kind: 'network.remove',
      id: `network-remove:${gone.key}`,
      cause: `network ${gone.key} is no longer in the stack file`,
      after: [],
      project: stack.project,
      key: gone.key,
      bridge: gone.bridge,
    });
  }
  const bridge = planDefaultBridge(stack, observed, [...taken, ...[...specs.values()].map((s) => s.subnet)]);
  if (bridge.spec) specs.set(DEFAULT_BRIDGE_KEY, bridge.spec);
  operations.push(...bridge.operations);
  createIds.push(...bridge.createIds);
  problems.push(...bridge.problems);
  problems.push(...bridgeNameClashes([...specs.values()], observed));
  return { specs, operations, createIds, problems };
}

/** How many containers the file (and `up --scale`) puts on network `key`: replicas of every service on it. */
function containersOn(stack: Stack, key: string, scale: Record<string, number> | undefined): number {
  let count = 0;
  for (const service of stack.services)
    if (service.networks.some((sn) => sn.network === key)) count += replicaCount(service, scale);
  return count;
}

function specOf(project: string, net: Network, subnet: string, gateway: string): NetworkSpec {
  const spec: NetworkSpec = {
    project,
    key: net.key,
    name: net.name,
    bridge: bridgeName(project, net.key),
    subnet,
    gateway,
    prefixLength: parseCidr(subnet).prefix,
  };
  if (net.internal) spec.internal = true;
  if (net.ipRange) spec.ipRange = normalizeCidr(net.ipRange);
  return withNetworkOptions(spec, net);
}

/** The subnet the file asks for (checked against the host), or why it cannot be had. */
function wantedSettings(net: Network, taken: string[]): { subnet?: string } | { problems: string[] } {
  if (!net.subnet) {
    if (net.gateway || net.ipRange) {
      return {
        problems: [
          `network ${net.key}: ipam.config gateway and ip_range need a subnet; add \`subnet:\` to the same ipam.config entry`,
        ],
      };
    }
    return {};
  }
  let subnet: string;
  try {
    subnet = normalizeCidr(net.subnet);
  } catch {
    return {
      problems: [
        `network ${net.key}: ipam.config subnet ${JSON.stringify(net.subnet)} is not an IPv4 CIDR such as 10.20.0.0/24`,
      ],
    };
  }
  const cidr = parseCidr(subnet);
  if (cidr.prefix > 30) {
    return {
      problems: [`network ${net.key}: subnet ${subnet} is too small for a gateway and a container; use /30 or larger`],
    };
  }
  const problems: string[] = [];
  const clash = taken.find((t) => {
    try {
      return overlaps(parseCidr(t), cidr);
    } catch {
      return false;
    }
  });
  if (clash)
    problems.push(
      `network ${net.key}: subnet ${subnet} overlaps ${clash}, which the host or another stack already uses; choose another subnet`,
    );
  if (net.gateway) {
    const why = unusableAddress(subnet, '', net.gateway);
    if (why) problems.push(`network ${net.key}: gateway ${net.gateway} ${why}; choose an address inside the subnet`);
  }
  if (net.ipRange) {
    try {
      const range = parseCidr(net.ipRange);
      if (range.prefix < cidr.prefix || !contains(cidr, normalizeCidr(net.ipRange).split('/')[0]!)) {
        problems.push(`network ${net.key}: ip_range ${net.ipRange} is not inside subnet ${subnet}`);
      }
    } catch {
      problems.push(`network ${net.key}: ip_range ${JSON.stringify(net.ipRange)} is not an IPv4 CIDR`);
    }
  }
  return problems.length > 0 ? { problems } : { subnet };
}

/** Records written before networks carried a hash compare by subnet and gateway. */
function sameConfig(seen: ObservedNetwork, spec: NetworkSpec): boolean {
  if (seen.hash !== undefined) return seen.hash === networkHash(spec);
  return seen.subnet === spec.subnet && seen.gateway === spec.gateway;
}

/** `external: true`: the network another stack made under that name, or a problem naming the fix. */
function joinExternal(net: Network, foreign: ForeignNetwork[]): { spec: NetworkSpec } | { problem: string } {
  const found =
    foreign.find((f) => f.name === net.name) ??
    foreign.find((f) => f.key === net.name && f.name === `${f.project}_${f.key}`);
  if (!found) {
    const known = foreign.map((f) => f.name);
    return {
      problem:
        `network ${net.key}: external network ${net.name} does not exist; start the stack that creates it first` +
        (known.length
          ? ` (networks of other stacks on this host: ${known.join(', ')})`
          : ' (no other stack on this host has a network)') +
        ', or remove `external: true` to let this stack create it',
    };
  }
  const spec: NetworkSpec = {
    project: found.project,
    key: net.key,
    name: found.name,
    bridge: found.bridge,
    subnet: found.subnet,
    gateway: found.gateway,
    prefixLength: found.prefixLength,
    owner: found.project,
  };
  if (found.ipRange) spec.ipRange = found.ipRange;
  if (found.mtu) spec.mtu = found.mtu;
  if (found.auxAddresses) spec.auxAddresses = found.auxAddresses;
  if (found.subnet6)
    Object.assign(spec, { subnet6: found.subnet6, gateway6: found.gateway6, prefixLength6: found.prefixLength6 });
  // The owner's table drops whatever enters or leaves an internal network: a joiner must
  // not route through it or publish ports on it either.
  if (found.internal) spec.internal = true;
  return { spec };
}
