// A build's default network for its RUN steps: egress, as docker's builder gives it, through
// a bridge of its own (a /28 chosen under the host-wide allocation lock from the subnets no
// stack or host route takes) with masquerade to the outside and the isolation every stack
// bridge has from the others. Kept from one build to the next and held by one build at a
// time (kept-build-network.ts); its records are those of a stack network, so `down`-style
// cleanup by records finds all of it. A build's steps run one after another, each on the
// same address.

import type { Endpoint, NatSpec, NetworkSpec } from '../model/plan.js';
import { chooseSubnet, defaultGateway, intToIp, ipToInt } from '../model/ipam.js';
import { bridgeName, natTableName, vethName } from '../model/names.js';
import type { Host } from './host.js';

const PREFIX = 28;

/** Chooses and claims the network's subnet: what a step's endpoint needs to be known. */
export async function chooseBuildNetwork(host: Host, project: string): Promise<NetworkSpec> {
  const lock = await host.allocation.lock(project);
  let net: NetworkSpec;
  try {
    // Only the subnets taken: a whole observe of the stack would read every stack's records.
    const subnet = chooseSubnet(await host.allocation.takenSubnets(project), PREFIX);
    if (!subnet)
      throw new Error(`build ${project}: no free subnet left in stack's pool for its network; use --network none`);
    net = {
      project,
      key: 'build',
      name: `${project}_build`,
      bridge: bridgeName(project, 'build'),
      subnet,
      gateway: defaultGateway(subnet),
      prefixLength: PREFIX,
    };
    await host.allocation.claim(project, { subnets: [subnet], ports: [], addresses: [], bridges: [net.bridge] });
  } finally {
    lock.release();
  }
  return net;
}

/** The network's nftables table: masquerade and the isolation of its bridge. */
export function buildNat(net: NetworkSpec): NatSpec {
  return {
    project: net.project,
    table: natTableName(net.project),
    networks: [{ bridge: net.bridge, subnet: net.subnet, key: 'build' }],
    ports: [],
    hash: net.project,
  };
}

/** Makes the chosen network (bridge, masquerade); on a failure it takes back what it made. */
export async function createBuildNetwork(host: Host, net: NetworkSpec): Promise<void> {
  const project = net.project;
  const nat = buildNat(net);
  try {
    await host.state.saveNetwork(net);
    await host.networks.createBridge(net);
    await host.state.saveNat(nat);
    await host.nat.apply(nat);
  } catch (err) {
    await host.nat.remove(nat.table);
    await host.state.removeNat(project);
    await host.networks.removeBridge(net.bridge);
    await host.state.removeNetwork(project, 'build');
    await host.allocation.unclaim(project);
    throw err;
  }
}

/**
 * A step's interface on the build's network: the first address after the gateway (one
 * build at a time has the network). The veth is named from the step's own stack, so the
 * sweep of a killed build finds it by that stack's records.
 */
export function buildEndpoint(net: NetworkSpec, project: string, container: string): Endpoint {
  return {
    network: 'build',
    bridge: net.bridge,
    hostVeth: vethName(project, container, 'build'),
    ifname: 'eth0',
    ip: intToIp(ipToInt(net.gateway) + 1),
    prefixLength: PREFIX,
    gateway: net.gateway,
    defaultRoute: true,
  };
}
