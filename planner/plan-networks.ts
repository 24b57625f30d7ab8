// Networks part of reconcile: keep each network that exists with the same subnet, create
// missing ones on a subnet nothing else uses, recreate changed or vanished ones, remove
// the ones the file dropped.

import type { Observed } from './observed.js';
import type { NetworkSpec, Operation } from './plan.js';
import type { Stack } from './types.js';
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
    const sameSubnet = seen && (!net.subnet || seen.subnet === normalizeSubnet(net.subnet));
    if (seen && sameSubnet && seen.linkPresent) {
      specs.set(net.key, { project: stack.project, key: seen.key, name: seen.name, bridge: seen.bridge, subnet: seen.subnet, gateway: seen.gateway, prefixLength: parseCidr(seen.subnet).prefix });
      continue;
    }
    if (seen && !sameSubnet) {
      operations.push({ kind: 'network.remove', id: `network-remove:${net.key}`, cause: `subnet of network ${net.key} changed`, after: [], project: stack.project, key: net.key, bridge: seen.bridge });
    }
    const subnet = net.subnet ? normalizeSubnet(net.subnet) : sameSubnet ? seen!.subnet : chooseSubnet([...taken, ...[...specs.values()].map((s) => s.subnet)]);
    if (!subnet) {
      problems.push(`network ${net.key}: no free /24 left in 10.123.0.0/16; set ipam.config subnet in the stack file`);
      continue;
    }
    const spec: NetworkSpec = {
      project: stack.project,
      key: net.key,
      name: net.name,
      bridge: bridgeName(stack.project, net.key),
      subnet,
      gateway: net.gateway ?? defaultGateway(subnet),
      prefixLength: parseCidr(subnet).prefix,
    };
    specs.set(net.key, spec);
    const id = `network:${net.key}`;
    createIds.push(id);
    const cause = !seen ? `network ${net.key} does not exist yet` : !sameSubnet ? `subnet of network ${net.key} changed` : `bridge ${seen.bridge} of network ${net.key} is missing or misconfigured on the host`;
    operations.push({ kind: 'network.create', id, cause, after: seen && !sameSubnet ? [`network-remove:${net.key}`] : [], network: spec });
  }

  for (const gone of observed.networks.filter((n) => !stack.networks.some((s) => s.key === n.key))) {
    operations.push({ kind: 'network.remove', id: `network-remove:${gone.key}`, cause: `network ${gone.key} is no longer in the stack file`, after: [], project: stack.project, key: gone.key, bridge: gone.bridge });
  }
  return { specs, operations, createIds };
}

function normalizeSubnet(subnet: string): string {
  const { prefix } = parseCidr(subnet);
  return `${subnet.split('/')[0]}/${prefix}`;
}
