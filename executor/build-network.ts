// A RUN step's default network: egress, as docker's builder gives it, through a bridge of the
// step's own (`stkbuild-<id>`, a /28 chosen as every stack's subnets are, under the
// host-wide allocation lock) with masquerade to the outside and the isolation every stack
// bridge has from the others. Made before the step and removed after it, named from the
// step's project, so `down`-style cleanup by name finds what a killed build left.

import type { Endpoint, NatSpec, NetworkSpec } from '../model/plan.js';
import { chooseSubnet, defaultGateway, intToIp, ipToInt } from '../model/ipam.js';
import { bridgeName, natTableName, vethName } from '../model/names.js';
import type { Host } from './host.js';

const PREFIX = 28;

/** Makes the network; on a failure it takes back what it made. The step's release removes it (build-leftovers.ts). */
export async function makeBuildNetwork(host: Host, project: string, container: string): Promise<Endpoint> {
  const lock = await host.allocation.lock(project);
  let net: NetworkSpec;
  try {
    const observed = await host.observe(project);
    const subnet = chooseSubnet(observed.takenSubnets, PREFIX);
    if (!subnet)
      throw new Error(`build step ${project}: no free subnet left in stack's pool for its network; use --network none`);
    const gateway = defaultGateway(subnet);
    net = {
      project,
      key: 'build',
      name: `${project}_build`,
      bridge: bridgeName(project, 'build'),
      subnet,
      gateway,
      prefixLength: PREFIX,
    };
    await host.allocation.claim(project, { subnets: [subnet], ports: [], addresses: [] });
  } finally {
    lock.release();
  }
  const nat: NatSpec = {
    project,
    table: natTableName(project),
    networks: [{ bridge: net.bridge, subnet: net.subnet, key: 'build' }],
    ports: [],
    hash: project,
  };
  const remove = async () => {
    await host.nat.remove(nat.table);
    await host.state.removeNat(project);
    await host.networks.removeBridge(net.bridge);
    await host.state.removeNetwork(project, 'build');
    await host.allocation.unclaim(project);
  };
  try {
    await host.state.saveNetwork(net);
    await host.networks.createBridge(net);
    await host.state.saveNat(nat);
    await host.nat.apply(nat);
  } catch (err) {
    await remove();
    throw err;
  }
  const ip = intToIp(ipToInt(net.gateway) + 1);
  return {
    network: 'build',
    bridge: net.bridge,
    hostVeth: vethName(project, container, 'build'),
    ifname: 'eth0',
    ip,
    prefixLength: PREFIX,
    gateway: net.gateway,
    defaultRoute: true,
  };
}
