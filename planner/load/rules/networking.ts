// How a service is attached to networks: network_mode excludes networks and (for host)
// published ports; a fixed ipv4_address needs a declared subnet that contains it; the
// IPAM settings of a network must be real addresses inside its subnet.

import { contains, parseCidr } from '../../../model/ipam.js';
import { obj, references, type Obj, type RuleContext } from './context.js';
import { checkIpv6Address, checkIpv6Entry, isV6Entry } from './ipv6.js';

export function isIpv4(s: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(s) && s.split('.').every((p) => Number(p) <= 255);
}

function subnetOf(ctx: RuleContext, network: string): string | undefined {
  const config = obj(obj(obj(obj(ctx.root.networks)?.[network])?.ipam))?.config;
  const first = (Array.isArray(config) ? config : []).map(obj).find((e) => e && !isV6Entry(e))?.subnet;
  return typeof first === 'string' && isIpv4(first.split('/')[0]!) ? first : undefined;
}

export function checkServiceNetworking(ctx: RuleContext, name: string, svc: Obj): void {
  const mode = svc.network_mode;
  if (typeof mode === 'string' && svc.networks !== undefined) {
    ctx.at(
      ['services', name, 'network_mode'],
      `service "${name}" sets both "network_mode" and "networks"; a service in network_mode ${mode} joins no networks, so remove one of them`,
    );
  }
  if (mode === 'host' && Array.isArray(svc.ports) && svc.ports.length > 0) {
    ctx.at(
      ['services', name, 'ports'],
      `service "${name}" publishes ports but uses network_mode host, where its ports are the host's own; remove "ports"`,
    );
  }
  for (const n of references(svc, 'networks')) {
    checkIpv6Address(ctx, name, n.name, obj(obj(svc.networks)?.[n.name])?.ipv6_address);
    const ip = obj(obj(svc.networks)?.[n.name])?.ipv4_address;
    if (typeof ip !== 'string') continue;
    const path = ['services', name, 'networks', n.name, 'ipv4_address'];
    if (!isIpv4(ip)) {
      ctx.at(path, `ipv4_address "${ip}" of service "${name}" is not an IPv4 address`);
      continue;
    }
    if (!ctx.declared('networks').includes(n.name) && n.name !== 'default') continue;
    const subnet = subnetOf(ctx, n.name);
    if (subnet === undefined) {
      ctx.at(
        path,
        `service "${name}" asks for address ${ip} on network "${n.name}", which has no subnet; declare one under networks.${n.name}.ipam.config`,
      );
    } else if (!contains(parseCidr(subnet), ip)) {
      ctx.at(path, `ipv4_address ${ip} of service "${name}" is outside subnet ${subnet} of network "${n.name}"`);
    }
  }
}

export function checkNetworkDeclarations(ctx: RuleContext): void {
  for (const key of ctx.declared('networks')) {
    const config = obj(obj(obj(ctx.root.networks)?.[key])?.ipam)?.config;
    (Array.isArray(config) ? config : []).forEach((c, i) => {
      const entry = obj(c);
      if (!entry) return;
      const base = ['networks', key, 'ipam', 'config', i];
      const subnet = typeof entry.subnet === 'string' ? entry.subnet : undefined;
      const [addr = '', bits = ''] = subnet?.split('/') ?? [];
      if (isV6Entry(entry)) {
        checkIpv6Entry(ctx, key, i, entry);
        return;
      }
      if (subnet !== undefined && (!isIpv4(addr) || Number(bits) > 32)) {
        ctx.at([...base, 'subnet'], `subnet "${subnet}" of network "${key}" is not a valid IPv4 CIDR`);
        return;
      }
      for (const field of ['gateway', 'ip_range'] as const) {
        const v = entry[field];
        if (typeof v !== 'string' || subnet === undefined) continue;
        const ip = v.split('/')[0]!;
        if (!isIpv4(ip)) ctx.at([...base, field], `${field} "${v}" of network "${key}" is not an IPv4 address`);
        else if (!contains(parseCidr(subnet), ip))
          ctx.at([...base, field], `${field} ${v} of network "${key}" is outside its subnet ${subnet}`);
      }
    });
  }
}
