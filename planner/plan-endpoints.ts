// Addresses and /etc/hosts entries of every container. A container that already runs on
// a network keeps its address, so an edit elsewhere never renumbers it; new containers take
// the lowest free address.

import type { Observed } from './observed.js';
import type { Endpoint, HostsEntry, NetworkSpec } from './plan.js';
import type { Stack } from './types.js';
import { contains, nextFreeAddress, parseCidr } from './ipam.js';
import { containerName, vethName } from './names.js';

export interface PlannedEndpoints {
  endpoints: Endpoint[];
  hosts: HostsEntry[];
}

export function planEndpoints(stack: Stack, observed: Observed, nets: Map<string, NetworkSpec>, problems: string[]): Map<string, PlannedEndpoints> {
  const used = new Map<string, Set<string>>([...nets.keys()].map((k) => [k, new Set<string>()]));
  const chosen = new Map<string, string>(); // `${service}/${network}` → ip

  // Static addresses first, then the addresses running containers already have.
  for (const service of stack.services) {
    for (const sn of service.networks) {
      const net = nets.get(sn.network);
      if (!net || !sn.ipv4Address) continue;
      if (!contains(parseCidr(net.subnet), sn.ipv4Address)) {
        problems.push(`service ${service.name}: ipv4_address ${sn.ipv4Address} is outside subnet ${net.subnet} of network ${sn.network}`);
      } else if (used.get(sn.network)!.has(sn.ipv4Address)) {
        problems.push(`service ${service.name}: ipv4_address ${sn.ipv4Address} on network ${sn.network} is already taken by another service`);
      }
      used.get(sn.network)!.add(sn.ipv4Address);
      chosen.set(`${service.name}/${sn.network}`, sn.ipv4Address);
    }
  }
  for (const c of observed.containers) {
    for (const ep of c.endpoints) {
      const net = nets.get(ep.network);
      const key = `${c.service}/${ep.network}`;
      if (!net || chosen.has(key) || used.get(ep.network)!.has(ep.ip) || !contains(parseCidr(net.subnet), ep.ip)) continue;
      if (!stack.services.some((s) => s.name === c.service && s.networks.some((n) => n.network === ep.network && !n.ipv4Address))) continue;
      used.get(ep.network)!.add(ep.ip);
      chosen.set(key, ep.ip);
    }
  }

  const result = new Map<string, PlannedEndpoints>();
  for (const service of stack.services) {
    const endpoints: Endpoint[] = [];
    service.networks.forEach((sn, index) => {
      const net = nets.get(sn.network);
      if (!net) return;
      const key = `${service.name}/${sn.network}`;
      let ip = chosen.get(key);
      if (!ip) {
        ip = nextFreeAddress(net.subnet, net.gateway, used.get(sn.network)!);
        if (!ip) {
          problems.push(`service ${service.name}: no free address left in subnet ${net.subnet} of network ${sn.network}`);
          return;
        }
        used.get(sn.network)!.add(ip);
        chosen.set(key, ip);
      }
      const name = containerName(stack.project, service.name);
      endpoints.push({
        network: sn.network,
        bridge: net.bridge,
        hostVeth: vethName(stack.project, name, sn.network),
        ifname: `eth${index}`,
        ip,
        prefixLength: net.prefixLength,
        gateway: net.gateway,
        defaultRoute: index === 0,
      });
    });
    result.set(service.name, { endpoints, hosts: [] });
  }

  // Hosts: every service reachable on a network this one shares, under its service name,
  // container name and aliases.
  for (const service of stack.services) {
    const mine = result.get(service.name)!;
    const myNets = new Set(mine.endpoints.map((e) => e.network));
    for (const other of stack.services) {
      if (other.name === service.name) continue;
      const ep = result.get(other.name)!.endpoints.find((e) => myNets.has(e.network));
      if (!ep) continue;
      const aliases = other.networks.find((n) => n.network === ep.network)?.aliases ?? [];
      mine.hosts.push({ ip: ep.ip, names: [other.name, containerName(stack.project, other.name), ...aliases] });
    }
    const own = mine.endpoints[0];
    if (own) mine.hosts.push({ ip: own.ip, names: [service.hostname ?? service.name, containerName(stack.project, service.name)] });
  }
  return result;
}
