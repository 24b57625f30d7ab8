// Networks part of reconcile: keep each network whose config hash matches the file and
// whose bridge is as stack left it, create missing ones on a subnet nothing else uses,
// recreate changed or vanished ones (drift), remove the ones the file dropped.

import type { Observed, ObservedNetwork } from './observed.js';
import type { NetworkSpec, Operation } from './plan.js';
import type { Network, Stack } from './types.js';
import { networkHash } from './hash.js';
import { chooseSubnet, defaultGateway, parseCidr } from './ipam.js';
import { bridgeName } from './names.js';

export interface PlannedNetworks {
  specs: Map<string, NetworkSpec>;
  operations: Operation[];
  /** Ids of network.create operations; containers wait for all of them. */
  createIds: string[];
}

export function planNetworks(stack: Stack, observed: Observed, problems: string[]): PlannedNetworks {
  const specs = new Map<string, NetworkSpec>();
  const operations: Operation[] = [];
  const createIds: string[] = [];
  const taken = [...observed.takenSubnets];

  for (const net of stack.networks) {
    if (net.external) {
      problems.push(`network ${net.key}: external networks are not supported yet; remove \`external: true\` to let stack create it`);
      continue;
    }
    const seen = observed.networks.find((n) => n.key === net.key);
    // An existing network keeps its subnet unless the file names another one.
    const keepSubnet = seen && (!net.subnet || seen.subnet === normalizeSubnet(net.subnet));
    const subnet = net.subnet ? normalizeSubnet(net.subnet) : keepSubnet ? seen!.subnet : chooseSubnet([...taken, ...[...specs.values()].map((s) => s.subnet)]);
    if (!subnet) {
      problems.push(`network ${net.key}: no free /24 left in 10.123.0.0/16; set ipam.config subnet in the stack file`);
      continue;
    }
    const spec = networkSpec(stack.project, net, subnet);
    specs.set(net.key, spec);
    const changed = seen && !sameConfig(seen, spec);
    if (seen && !changed && seen.linkPresent) continue;
    if (changed) {
      operations.push({ kind: 'network.remove', id: `network-remove:${net.key}`, cause: `configuration of network ${net.key} changed`, after: [], project: stack.project, key: net.key, bridge: seen.bridge });
    }
    const id = `network:${net.key}`;
    createIds.push(id);
    const cause = !seen
      ? `network ${net.key} does not exist yet`
      : changed
        ? `configuration of network ${net.key} changed${seen.subnet !== spec.subnet ? ` (subnet ${seen.subnet} → ${spec.subnet})` : ''}`
        : `drift: bridge ${seen.bridge} of network ${net.key} is missing or misconfigured on the host`;
    operations.push({ kind: 'network.create', id, cause, after: changed ? [`network-remove:${net.key}`] : [], network: spec });
  }

  for (const gone of observed.networks.filter((n) => !stack.networks.some((s) => s.key === n.key))) {
    operations.push({ kind: 'network.remove', id: `network-remove:${gone.key}`, cause: `network ${gone.key} is no longer in the stack file`, after: [], project: stack.project, key: gone.key, bridge: gone.bridge });
  }
  return { specs, operations, createIds };
}

function networkSpec(project: string, net: Network, subnet: string): NetworkSpec {
  return {
    project,
    key: net.key,
    name: net.name,
    bridge: bridgeName(project, net.key),
    subnet,
    gateway: net.gateway ?? defaultGateway(subnet),
    prefixLength: parseCidr(subnet).prefix,
  };
}

/** Records written before networks carried a hash compare by subnet and gateway. */
function sameConfig(seen: ObservedNetwork, spec: NetworkSpec): boolean {
  if (seen.hash !== undefined) return seen.hash === networkHash(spec);
  return seen.subnet === spec.subnet && seen.gateway === spec.gateway;
}

function normalizeSubnet(subnet: string): string {
  const { prefix } = parseCidr(subnet);
  return `${subnet.split('/')[0]}/${prefix}`;
}
