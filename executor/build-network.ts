// A build's default network for its RUN steps: egress, as docker's builder gives it, through
// a bridge of the build's own (`stkbuild-<id>`, a /28 chosen under the host-wide allocation
// lock from the subnets no stack or host route takes) with masquerade to the outside and the
// isolation every stack bridge has from the others. Made at the build's first RUN step that
// needs it and removed with the build's stack (build-leftovers.ts), named from that stack,
// so `down`-style cleanup by name finds what a killed build left. Its steps run one after
// another, each on the same address.

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

/** Makes the chosen network (bridge, masquerade); on a failure it takes back what it made. */
export async function createBuildNetwork(host: Host, net: NetworkSpec): Promise<void> {
  const project = net.project;
  const nat: NatSpec = {
    project,
    table: natTableName(project),
    networks: [{ bridge: net.bridge, subnet: net.subnet, key: 'build' }],
    ports: [],
    hash: project,
  };
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

/** A step's interface on the build's network: the first address after the gateway. */
export function buildEndpoint(net: NetworkSpec, container: string): Endpoint {
  return {
    network: 'build',
    bridge: net.bridge,
    hostVeth: vethName(net.project, container, 'build'),
    ifname: 'eth0',
    ip: intToIp(ipToInt(net.gateway) + 1),
    prefixLength: PREFIX,
    gateway: net.gateway,
    defaultRoute: true,
  };
}
