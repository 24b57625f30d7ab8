// IPv6 on a network, beyond the schema: its ipam.config entry (told by an IPv6 subnet) needs
// `enable_ipv6: true` on the network, a real IPv6 CIDR and a gateway inside it; stack
// allocates IPv6 addresses over the whole subnet, so ip_range and aux_addresses there are
// refused rather than dropped. A service's `ipv6_address` needs a network with IPv6 and a
// subnet the file names (docker refuses a fixed address in a subnet it picked, too).

import { contains6, isIpv6, parseCidr6 } from '../../../model/ipam6.js';
import { list, obj, type Obj, type RuleContext } from './context.js';

const UNSUPPORTED = 'valid Compose, not supported by stack:';

export const isV6Entry = (entry: Obj): boolean => typeof entry.subnet === 'string' && entry.subnet.includes(':');

const ipv6On = (net: Obj | undefined) => net?.enable_ipv6 === true || net?.enable_ipv6 === 'true';

/** The IPv6 subnet the file names for `network`, if it names a valid one. */
function subnet6Of(ctx: RuleContext, network: string): string | undefined {
  const config = obj(obj(obj(obj(ctx.root.networks)?.[network])?.ipam))?.config;
  const subnet = list(config)
    .map(obj)
    .find((e) => e && isV6Entry(e))?.subnet as string | undefined;
  try {
    if (subnet !== undefined) parseCidr6(subnet);
    return subnet;
  } catch {
    return undefined;
  }
}

export function checkIpv6Entry(ctx: RuleContext, key: string, i: number, entry: Obj): void {
  const base = ['networks', key, 'ipam', 'config', i];
  const subnet = entry.subnet as string;
  if (!ipv6On(obj(obj(ctx.root.networks)?.[key]))) {
    ctx.at(
      [...base, 'subnet'],
      `IPv6 subnet "${subnet}" of network "${key}" needs enable_ipv6: true on the network, as docker requires`,
    );
    return;
  }
  let cidr;
  try {
    cidr = parseCidr6(subnet);
  } catch {
    ctx.at([...base, 'subnet'], `subnet "${subnet}" of network "${key}" is not a valid IPv6 CIDR`);
    return;
  }
  if (cidr.prefix > 126)
    ctx.at(
      [...base, 'subnet'],
      `IPv6 subnet ${subnet} of network "${key}" is too small for a gateway and a container; use /126 or larger`,
    );
  const gateway = entry.gateway;
  if (typeof gateway === 'string') {
    if (!isIpv6(gateway))
      ctx.at([...base, 'gateway'], `gateway "${gateway}" of network "${key}" is not an IPv6 address`);
    else if (!contains6(cidr, gateway))
      ctx.at([...base, 'gateway'], `gateway ${gateway} of network "${key}" is outside its subnet ${subnet}`);
  }
  for (const field of ['ip_range', 'aux_addresses'] as const) {
    if (entry[field] === undefined) continue;
    ctx.at(
      [...base, field],
      `${UNSUPPORTED} ${field} in the IPv6 ipam.config entry of network "${key}": remove it; stack gives containers IPv6 addresses from the whole subnet (ipv6_address fixes one)`,
      'key',
    );
  }
}

export function checkIpv6Address(ctx: RuleContext, service: string, network: string, ip: unknown): void {
  if (typeof ip !== 'string') return;
  const path = ['services', service, 'networks', network, 'ipv6_address'];
  if (!isIpv6(ip)) {
    ctx.at(path, `ipv6_address "${ip}" of service "${service}" is not an IPv6 address`);
    return;
  }
  if (!ctx.declared('networks').includes(network) && network !== 'default') return;
  const net = obj(obj(ctx.root.networks)?.[network]);
  if (!ipv6On(net)) {
    ctx.at(
      path,
      `service "${service}" asks for IPv6 address ${ip} on network "${network}", which has no IPv6; set enable_ipv6: true on it`,
    );
    return;
  }
  const subnet = subnet6Of(ctx, network);
  if (subnet === undefined)
    ctx.at(
      path,
      `service "${service}" asks for IPv6 address ${ip} on network "${network}", which has no IPv6 subnet; declare one under networks.${network}.ipam.config`,
    );
  else if (!contains6(parseCidr6(subnet), ip))
    ctx.at(path, `ipv6_address ${ip} of service "${service}" is outside subnet ${subnet} of network "${network}"`);
}
