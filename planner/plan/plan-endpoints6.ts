// IPv6 addresses of the endpoints planEndpoints made, on networks with IPv6: a fixed
// `ipv6_address`, else the address the running container already has there (an edit
// elsewhere never renumbers it), else the lowest free one after the gateway. The first
// endpoint with one also names the container in its /etc/hosts, as docker writes it.

import type { Observed } from '../../model/observed.js';
import type { NetworkSpec } from '../../model/plan.js';
import { canonicalIp6, isIpv6, nextFreeAddress6, nextIp6, unusableAddress6 } from '../../model/ipam6.js';
import { shownName } from '../../model/names.js';
import type { PlannedNetworking, SlotInstances } from './plan-endpoints.js';
import type { Slot } from './plan-replicas.js';

export function addIpv6Addresses(
  observed: Observed,
  nets: Map<string, NetworkSpec>,
  slots: Slot[],
  networking: Map<string, PlannedNetworking>,
  instances: SlotInstances,
): string[] {
  const problems: string[] = [];
  // Addresses other stacks' containers hold on a shared network (plan-endpoints.ts reads the same lists).
  const used = new Map<string, Set<string>>();
  for (const [key, net] of nets) {
    const joined = observed.foreignNetworks?.find((f) => f.bridge === net.bridge)?.usedIps ?? [];
    const joiners = observed.networks.find((n) => n.bridge === net.bridge)?.foreignIps ?? [];
    used.set(key, new Set([...joined, ...joiners].filter((ip) => ip.includes(':'))));
  }
  for (const { service } of slots) {
    for (const sn of service.networks) {
      const net = nets.get(sn.network);
      if (!net || sn.ipv6Address === undefined || !isIpv6(sn.ipv6Address)) continue;
      const where = `service ${service.name}: ipv6_address ${sn.ipv6Address} on network ${sn.network}`;
      if (!net.subnet6) {
        problems.push(`${where}: the network has no IPv6; set enable_ipv6: true on it`);
        continue;
      }
      const why = unusableAddress6(net.subnet6, net.gateway6!, sn.ipv6Address);
      if (why) problems.push(`${where} ${why}; choose a free address inside ${net.subnet6}`);
    }
  }
  const kept = new Map<string, string>(); // `${container}/${network}` → ip6
  for (const c of observed.containers)
    for (const ep of c.endpoints) {
      if (!ep.ip6 || !used.has(ep.network)) continue;
      used.get(ep.network)!.add(ep.ip6);
      if (!instances.leftovers?.has(c.name)) kept.set(`${shownName(c)}/${ep.network}`, ep.ip6);
    }
  for (const { service } of slots)
    for (const sn of service.networks)
      if (sn.ipv6Address && isIpv6(sn.ipv6Address)) used.get(sn.network)?.add(canonicalIp6(sn.ipv6Address));
  const searchFrom = new Map<string, string>();
  for (const slot of slots) {
    const planned = networking.get(slot.name);
    if (!planned) continue;
    for (const ep of planned.endpoints) {
      const net = nets.get(ep.network);
      if (!net?.subnet6 || !net.gateway6) continue;
      const fixed = slot.service.networks.find((sn) => sn.network === ep.network)?.ipv6Address;
      let ip6 = fixed && isIpv6(fixed) ? canonicalIp6(fixed) : undefined;
      if (!ip6 && !instances.fresh.has(slot.name)) ip6 = kept.get(`${slot.name}/${ep.network}`);
      if (!ip6) {
        ip6 = nextFreeAddress6(net.subnet6, net.gateway6, used.get(ep.network)!, searchFrom.get(ep.network));
        if (!ip6) {
          problems.push(`network ${ep.network}: no free IPv6 address left in ${net.subnet6}`);
          continue;
        }
        used.get(ep.network)!.add(ip6);
        searchFrom.set(ep.network, nextIp6(ip6));
      }
      Object.assign(ep, { ip6, prefixLength6: net.prefixLength6, gateway6: net.gateway6 });
    }
    const own = planned.endpoints[0];
    const ownLine = planned.hosts[0];
    if (own?.ip6 && ownLine?.ip === own.ip) planned.hosts.splice(1, 0, { ip: own.ip6, names: [...ownLine.names] });
  }
  return [...new Set(problems)];
}
