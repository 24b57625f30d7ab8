// A service network entry's `driver_opts` into the ServiceNetwork: the interface's sysctls,
// and its name (the option docker 28 reads for compose's `interface_name`, which wins when
// both are given; rules/network-keys.ts refuses the two when they differ, and every other
// option).

import { IFNAME_OPTION, parseInterfaceSysctls, SYSCTLS_OPTION } from '../../model/endpoint-options.js';
import type { ServiceNetwork } from '../../model/types.js';

export function withEndpointOptions(sn: ServiceNetwork, opts: Record<string, string>): ServiceNetwork {
  const ifname = opts[IFNAME_OPTION];
  if (ifname !== undefined && sn.interfaceName === undefined) sn.interfaceName = ifname;
  const sysctls = opts[SYSCTLS_OPTION] === undefined ? undefined : parseInterfaceSysctls(opts[SYSCTLS_OPTION]);
  if (sysctls && 'sysctls' in sysctls && sysctls.sysctls.length > 0) sn.sysctls = sysctls.sysctls;
  return sn;
}
