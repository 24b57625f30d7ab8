// The IPv6 side of a network with `enable_ipv6`: the subnet the file names, else the one
// it had (an existing network keeps its addresses), else a ULA /64 of the project's /48
// that overlaps nothing taken (model/ipam6.ts); the gateway is the file's or the first
// address. A network without IPv6 gets none of the fields, so its spec and hash are what
// they were before stack had IPv6.

import type { ObservedNetwork } from '../../model/observed.js';
import type { NetworkSpec } from '../../model/plan.js';
import type { Network } from '../../model/types.js';
import {
  canonicalIp6,
  chooseUlaSubnet,
  defaultGateway6,
  normalizeCidr6,
  overlaps6,
  parseCidr6,
} from '../../model/ipam6.js';

export interface Ipv6Settings {
  subnet6: string;
  gateway6: string;
}

export function ipv6Of(
  project: string,
  net: Network,
  seen: ObservedNetwork | undefined,
  taken: readonly string[],
): Ipv6Settings | { problem: string } | undefined {
  if (!net.enableIpv6) return undefined;
  let subnet6: string | undefined;
  if (net.subnet6 !== undefined) {
    subnet6 = normalizeCidr6(net.subnet6);
    const wanted = parseCidr6(subnet6);
    const clash = taken.find((t) => {
      try {
        return overlaps6(parseCidr6(t), wanted);
      } catch {
        return false;
      }
    });
    if (clash)
      return {
        problem: `network ${net.key}: IPv6 subnet ${subnet6} overlaps ${clash}, which another network already uses; choose another subnet`,
      };
  } else subnet6 = seen?.subnet6 ?? chooseUlaSubnet(project, taken);
  if (subnet6 === undefined)
    return { problem: `network ${net.key}: no free IPv6 /64 left; set an IPv6 subnet in its ipam.config` };
  return { subnet6, gateway6: net.gateway6 ? canonicalIp6(net.gateway6) : defaultGateway6(subnet6) };
}

export function withIpv6(spec: NetworkSpec, v6: Ipv6Settings | undefined): NetworkSpec {
  if (!v6) return spec;
  return { ...spec, subnet6: v6.subnet6, gateway6: v6.gateway6, prefixLength6: parseCidr6(v6.subnet6).prefix };
}
