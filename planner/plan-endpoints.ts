// Addresses and /etc/hosts entries of every container (one per replica). A container that
// already runs on a network keeps its address, so an edit elsewhere never renumbers it;
// new containers take the lowest free address.

import type { Observed } from './observed.js';
import type { Endpoint, HostsEntry, NetworkSpec } from './plan.js';
import type { Stack } from './types.js';
import { contains, nextFreeAddress, parseCidr } from './ipam.js';
import { vethName } from './names.js';
import type { Slot } from './plan-replicas.js';

export interface PlannedEndpoints {
  endpoints: Endpoint[];
  hosts: HostsEntry[];
}

/** Planned endpoints and hosts per container name. */
export function planEndpoints(stack: Stack, observed: Observed, nets: Map<string, NetworkSpec>, slots: Slot[], problems: string[]): Map<string, PlannedEndpoints> {
  const used = new Map<string, Set<string>>([...nets.keys()].map((k) => [k, new Set<string>()]));
  const chosen = new Map<string, string>(); // `${container}/${network}` → ip

  // Static addresses first, then the addresses running containers already have.
  for (const { service, name } of slots) {
    for (const sn of service.networks) {
      const net = nets.get(sn.network);
      if (!net || !sn.ipv4Address) continue;
      if (!contains(parseCidr(net.subnet), sn.ipv4Address)) {
        problems.push(`service ${service.name}: ipv4_address ${sn.ipv4Address} is outside subnet ${net.subnet} of network ${sn.network}`);
      } else if (used.get(sn.network)!.has(sn.ipv4Address)) {
        problems.push(`service ${service.name}: ipv4_address ${sn.ipv4Address} on network ${sn.network} is already taken by another service`);
      }
      used.get(sn.network)!.add(sn.ipv4Address);
      chosen.set(`${name}/${sn.network}`, sn.ipv4Address);
    }
  }
  const wanted = new Map(slots.map((s) => [s.name, s]));
  for (const c of observed.containers) {
    const slot = wanted.get(c.name);
    for (const ep of c.endpoints) {
      const net = nets.get(ep.network);
      const key = `${c.name}/${ep.network}`;
      if (!slot || !net || chosen.has(key) || used.get(ep.network)!.has(ep.ip) || !contains(parseCidr(net.subnet), ep.ip)) continue;
      if (!slot.service.networks.some((n) => n.network === ep.network && !n.ipv4Address)) continue;
      used.get(ep.network)!.add(ep.ip);
      chosen.set(key, ep.ip);
    }
  }

  const result = new Map<string, PlannedEndpoints>();
  for (const { service, name } of slots) {
    const endpoints: Endpoint[] = [];
    service.networks.forEach((sn, index) => {
      const net = nets.get(sn.network);
      if (!net) return;
      const key = `${name}/${sn.network}`;
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
    result.set(name, { endpoints, hosts: [] });
  }

  // Hosts: every container reachable on a network this one shares, under its service name
  // (one line per replica), container name and aliases.
  for (const slot of slots) {
    const mine = result.get(slot.name)!;
    const myNets = new Set(mine.endpoints.map((e) => e.network));
    for (const other of slots) {
      if (other.service.name === slot.service.name) continue;
      const ep = result.get(other.name)!.endpoints.find((e) => myNets.has(e.network));
      if (!ep) continue;
      const aliases = other.service.networks.find((n) => n.network === ep.network)?.aliases ?? [];
      mine.hosts.push({ ip: ep.ip, names: [other.service.name, other.name, ...aliases] });
    }
    const own = mine.endpoints[0];
    if (own) mine.hosts.push({ ip: own.ip, names: [slot.service.hostname ?? slot.service.name, slot.name] });
  }
  return result;
}
