// Interfaces, addresses, /etc/hosts and /etc/resolv.conf of every container. A container
// that already runs on a network keeps its address, so an edit elsewhere never renumbers
// it; new containers take the lowest free address (of `ip_range` when the network has one).
// Other containers' names are not written into /etc/hosts: the stack's DNS server answers
// them (all replicas, current after every apply), so no file goes stale.

import { IFNAME } from '../../model/network-options.js';
import type { Observed } from '../../model/observed.js';
import type { Endpoint, HostsEntry, NetworkSpec } from '../../model/plan.js';
import type { Service, ServiceNetwork, Stack } from '../../model/types.js';
import { groupBy } from '../../model/group-by.js';
import { intToIp, ipToInt, nextFreeAddress, unusableAddress } from '../../model/ipam.js';
import { containerName, shownName, vethName } from '../../model/names.js';
import { FIXED_RESOLVER } from '../../model/fixed-resolver.js';
import { ownsNetworks } from './network-mode.js';
import { sharedNamespaceOf } from './select-services.js';
import type { Slot } from './plan-replicas.js';
import { AddressShortage } from './address-shortage.js';
import { addExternalLinkHosts, addLinkHosts } from './link-hosts.js';
import { onDefaultBridge } from './default-bridge.js';
import { addIpv6Addresses } from './plan-endpoints6.js';
import { LazyMember } from './lazy-member.js';

/**
 * The host end of an endpoint's veth, named when first read (lazy-member.ts): `stack plan`'s
 * text never prints it, and naming one is a digest (~8 ms for 1000 containers, and loading
 * node:crypto for a plan that needs no other digest).
 */
const lazyVeth = new LazyMember<Endpoint, [project: string, container: string], string>((ep, [project, container]) =>
  vethName(project, container, ep.network),
);

export interface PlannedNetworking {
  endpoints: Endpoint[];
  hosts: HostsEntry[];
  resolvConf: string[];
  dnsUpstreams?: string[];
}

/** How a slot's container is named on the host, and whether it needs addresses of its own. */
export interface SlotInstances {
  /** Slot name → the host name of its container when that is not the slot's (plan-instances.ts). */
  names: Map<string, string>;
  /** Slots whose new container starts beside the old one: new addresses, the old ones stay taken. */
  fresh: Set<string>;
  /** Containers an interrupted replacement left: their addresses stay taken, and go to no slot. */
  leftovers?: Set<string>;
}

/** Networking of every desired container (`slots`: one per replica), keyed by slot name; and why some cannot have it. */
export function planEndpoints(
  stack: Stack,
  observed: Observed,
  nets: Map<string, NetworkSpec>,
  slots: Slot[],
  instances: SlotInstances = { names: new Map(), fresh: new Set() },
): { networking: Map<string, PlannedNetworking>; problems: string[] } {
  const problems: string[] = [];
  // Addresses other stacks' containers hold: on a network this stack joins, and on one it
  // owns that other stacks joined (a scale-up here must not hand out a joiner's address),
  // and on the default bridge every stack shares.
  const used = new Map<string, Set<string>>();
  for (const [key, net] of nets) {
    const joined = observed.foreignNetworks?.find((f) => f.bridge === net.bridge)?.usedIps ?? [];
    const joiners = observed.networks.find((n) => n.bridge === net.bridge)?.foreignIps ?? [];
    const shared = observed.defaultBridge?.bridge === net.bridge ? observed.defaultBridge.usedIps : [];
    used.set(key, new Set([...joined, ...joiners, ...shared, ...(net.auxAddresses ?? [])]));
  }
  const chosen = new Map<string, string>(); // `${container}/${network}` → ip

  // Static addresses first, then the addresses running containers already have.
  for (const service of stack.services) {
    for (const sn of service.networks) {
      const net = nets.get(sn.network);
      if (!net || !sn.ipv4Address || !ownsNetworks(service.networkMode)) continue;
      const where = `service ${service.name}: ipv4_address ${sn.ipv4Address} on network ${sn.network}`;
      const why = unusableAddress(net.subnet, net.gateway, sn.ipv4Address);
      if (why) problems.push(`${where} ${why}; choose a free address inside ${net.subnet}`);
      else if (net.auxAddresses?.includes(sn.ipv4Address))
        problems.push(`${where} is one of the network's aux_addresses, which no container is given; choose another`);
      else if (used.get(sn.network)!.has(sn.ipv4Address))
        problems.push(`${where} is already taken by another container; choose another address or remove ipv4_address`);
      used.get(sn.network)!.add(sn.ipv4Address);
      chosen.set(`${containerName(stack.project, service.name)}/${sn.network}`, sn.ipv4Address);
    }
  }
  const dynamic = new Set(
    stack.services
      .filter((s) => ownsNetworks(s.networkMode))
      .flatMap((s) => s.networks.filter((n) => !n.ipv4Address).map((n) => `${s.name}/${n.network}`)),
  );
  const wantsDynamic = (service: string, network: string) => dynamic.has(`${service}/${network}`);
  for (const c of observed.containers) {
    for (const ep of c.endpoints) {
      const net = nets.get(ep.network);
      const key = `${shownName(c)}/${ep.network}`;
      if (!net || used.get(ep.network)!.has(ep.ip) || unusableAddress(net.subnet, net.gateway, ep.ip)) continue;
      // Every address a container holds now stays taken in this plan, also when nothing
      // keeps it: an orphan (its service left the file) runs on without --remove-orphans,
      // and with it, or when its service moved off the network, new containers start
      // without waiting for its removal.
      used.get(ep.network)!.add(ep.ip);
      if (!chosen.has(key) && wantsDynamic(c.service, ep.network) && !instances.leftovers?.has(c.name))
        chosen.set(key, ep.ip);
    }
  }

  const result = new Map<string, PlannedNetworking>();
  // Per network, where the search for the next free address starts (see nextFreeAddress).
  const searchFrom = new Map<string, string>();
  const shortage = new AddressShortage();
  const slotsOf = groupBy(slots, (slot) => slot.service);
  for (const service of stack.services) {
    const mine = slotsOf.get(service) ?? [];
    if (!ownsNetworks(service.networkMode)) {
      // host and none: no interfaces of stack's; service:X is filled in below.
      if (!sharedNamespaceOf(service)) for (const { name } of mine) result.set(name, networkingOf(service, name, []));
      continue;
    }
    const { order, problems: misnamed } = interfaceOrder(service);
    problems.push(...misnamed);
    for (const { name } of mine) {
      const endpoints: Endpoint[] = [];
      for (const { sn, ifname } of order) {
        const net = nets.get(sn.network);
        if (!net) continue;
        const key = `${name}/${sn.network}`;
        let ip = instances.fresh.has(name) ? undefined : chosen.get(key);
        if (!ip) {
          ip = nextFreeAddress(net.subnet, net.gateway, used.get(sn.network)!, net.ipRange, searchFrom.get(sn.network));
          if (!ip) {
            shortage.count(sn.network, service.name, false);
            continue;
          }
          used.get(sn.network)!.add(ip);
          searchFrom.set(sn.network, intToIp(ipToInt(ip) + 1));
          chosen.set(key, ip);
        }
        shortage.count(sn.network, service.name, true);
        const ep = { network: sn.network, bridge: net.bridge } as Endpoint;
        lazyVeth.define(ep, 'hostVeth', [stack.project, instances.names.get(name) ?? name]);
        ep.ifname = ifname;
        ep.ip = ip;
        ep.prefixLength = net.prefixLength;
        ep.gateway = net.gateway;
        ep.defaultRoute = false;
        if (sn.aliases.length > 0) ep.aliases = [...sn.aliases];
        if (net.mtu) ep.mtu = net.mtu;
        if (sn.linkLocalIps) ep.linkLocalIps = [...sn.linkLocalIps];
        if (sn.macAddress !== undefined) ep.mac = sn.macAddress.toLowerCase();
        if (sn.sysctls) ep.sysctls = sn.sysctls.map((s) => ({ ...s }));
        endpoints.push(ep);
      }
      chooseDefaultRoute(
        endpoints,
        order.map((o) => o.sn),
        nets,
      );
      result.set(name, networkingOf(service, name, endpoints));
    }
  }
  problems.push(...shortage.problems(stack, nets));
  problems.push(...addIpv6Addresses(observed, nets, slots, result, instances));
  addLinkHosts(stack, slots, result);
  problems.push(...addExternalLinkHosts(stack, slots, result, observed));
  // `network_mode: service:X` shares X's namespace, so it sees X's addresses and resolver.
  // Looked up by name, not searched: a stack of many sidecars stays linear.
  const serviceNamed = new Map(stack.services.map((s) => [s.name, s]));
  for (const service of stack.services) {
    const target = sharedNamespaceOf(service);
    if (!target) continue;
    const shared = result.get(containerName(stack.project, target));
    const owner = serviceNamed.get(target);
    if (!owner) {
      problems.push(
        `service ${service.name}: network_mode service:${target} names a service that is not in the stack file`,
      );
    } else if (!shared) {
      problems.push(
        `service ${service.name}: network_mode service:${target} needs ${target} to have its own network (it has network_mode ${owner.networkMode})`,
      );
    } else {
      for (const slot of slotsOf.get(service) ?? []) result.set(slot.name, { ...shared, endpoints: [] });
    }
  }
  for (const service of stack.services.filter((s) => s.ports.length > 0)) {
    const planned = result.get(containerName(stack.project, service.name));
    if (service.networkMode === 'host') {
      problems.push(
        `service ${service.name}: \`ports\` cannot be published with network_mode host (the service already listens on the host's own addresses); remove \`ports\``,
      );
    } else if (planned && !planned.endpoints.some((e) => e.defaultRoute)) {
      const why = service.networkMode ? `network_mode ${service.networkMode}` : 'only internal networks';
      problems.push(
        `service ${service.name}: \`ports\` cannot be published: the service has ${why}, which nothing outside can reach; remove \`ports\` or join a network that is not internal`,
      );
    }
  }
  return { networking: result, problems };
}

/** Interfaces in attach order: `priority` high first, then network name; `interface_name` or the next free ethN. */
function interfaceOrder(service: Service): { order: { sn: ServiceNetwork; ifname: string }[]; problems: string[] } {
  const problems: string[] = [];
  const sorted = [...service.networks].sort(
    (a, b) => b.priority - a.priority || (a.network < b.network ? -1 : a.network > b.network ? 1 : 0),
  );
  const explicit = new Set<string>();
  for (const sn of sorted) {
    if (sn.interfaceName === undefined) continue;
    if (!IFNAME.test(sn.interfaceName) || sn.interfaceName === 'lo') {
      problems.push(
        `service ${service.name}: interface_name ${JSON.stringify(sn.interfaceName)} on network ${sn.network} must be 1 to 15 letters, digits, '.', '_' or '-' and not lo`,
      );
    } else if (explicit.has(sn.interfaceName)) {
      problems.push(
        `service ${service.name}: interface_name ${sn.interfaceName} is given to two networks; give each its own`,
      );
    }
    explicit.add(sn.interfaceName);
  }
  let next = 0;
  const order = sorted.map((sn) => {
    if (sn.interfaceName !== undefined) return { sn, ifname: sn.interfaceName };
    while (explicit.has(`eth${next}`)) next++;
    return { sn, ifname: `eth${next++}` };
  });
  return { order, problems };
}

/** The default route goes through the non-internal endpoint with the highest gw_priority (ties: attach order). */
function chooseDefaultRoute(endpoints: Endpoint[], order: ServiceNetwork[], nets: Map<string, NetworkSpec>): void {
  let best: { ep: Endpoint; priority: number } | undefined;
  for (const ep of endpoints) {
    if (nets.get(ep.network)?.internal) continue;
    const priority = order.find((sn) => sn.network === ep.network)?.gwPriority ?? 0;
    if (!best || priority > best.priority) best = { ep, priority };
  }
  if (best) best.ep.defaultRoute = true;
}

function networkingOf(service: Service, name: string, endpoints: Endpoint[]): PlannedNetworking {
  const hosts: HostsEntry[] = [];
  const own = endpoints[0];
  const hostname = service.hostname ?? service.name;
  // As docker writes it: the full name first when there is a domainname.
  const fqdn = service.domainname ? [`${hostname}.${service.domainname}`] : [];
  const names = [...fqdn, hostname, name, ...(service.containerName ? [service.containerName] : [])];
  if (own) hosts.push({ ip: own.ip, names: [...new Set(names)] });
  for (const h of service.extraHosts)
    hosts.push({ ip: h.ip === 'host-gateway' ? hostGateway(endpoints) : h.ip, names: [h.host] });
  return { endpoints, hosts, ...containerDns(service, endpoints) };
}

/** The resolv.conf lines and the stack resolver's upstreams of a container of `service` on `endpoints`. */
export function containerDns(
  service: Service,
  endpoints: Endpoint[],
): { resolvConf: string[]; dnsUpstreams?: string[] } {
  // The default bridge has no stack resolver: its containers ask the host's (or `dns:`) servers.
  const own = onDefaultBridge(service) ? undefined : endpoints[0];
  const dns: { resolvConf: string[]; dnsUpstreams?: string[] } = { resolvConf: resolvConfOf(service, own?.gateway) };
  if (own && service.dns.length > 0) dns.dnsUpstreams = [...service.dns];
  return dns;
}

/**
 * The host address `extra_hosts: NAME:host-gateway` stands for. Docker uses the default
 * bridge's gateway; here the gateway of the network the default route goes through, the
 * way the container's traffic leaves. With only internal networks, the first one's
 * gateway: internal networks forward nothing, yet the host itself still answers on its
 * own address there (the stack's DNS server does). `network_mode: host` shares the host's
 * namespace, so 127.0.0.1 is the host; `none` has no address of the host at all, and
 * 127.0.0.1 (the container's own loopback) at least keeps the name from becoming a query
 * to a resolver. `service:X` shares X's /etc/hosts.
 */
function hostGateway(endpoints: Endpoint[]): string {
  return (endpoints.find((e) => e.defaultRoute) ?? endpoints[0])?.gateway ?? '127.0.0.1';
}

/**
 * The stack's resolver (at 127.0.0.11, leading to the first interface's gateway), with
 * `dns_search` and `dns_opt`; `dns:` servers become its upstreams for this container
 * (docker's user-defined networks do the same). Without a network of its own (`host`,
 * `none`) a container gets its `dns:` servers directly, or a copy of the host's file (empty list).
 */
function resolvConfOf(service: Service, gateway: string | undefined): string[] {
  const servers = gateway ? [FIXED_RESOLVER] : service.dns;
  if (servers.length === 0 && service.dnsSearch.length === 0 && service.dnsOpt.length === 0) return [];
  const lines: string[] = [];
  if (gateway && service.dns.length > 0) lines.push(`# upstream servers: ${service.dns.join(' ')}`);
  lines.push(...servers.map((s) => `nameserver ${s}`));
  if (service.dnsSearch.length > 0) lines.push(`search ${service.dnsSearch.join(' ')}`);
  if (service.dnsOpt.length > 0) lines.push(`options ${service.dnsOpt.join(' ')}`);
  return lines;
}
