// The endpoint driver options (a service's `networks.<net>.driver_opts`) stack implements,
// shared by the loader (which refuses the rest at their line), the planner (which puts
// them into the endpoint) and the host (which checks them again before it writes a file).
// Docker's bridge driver reads none of an endpoint's options itself; the daemon honours
// two for every driver: `com.docker.network.endpoint.sysctls` (docker 27: sysctls of the
// container's interface on that network, written with IFNAME for its name, because the
// ethN number is not known when the file is written) and `com.docker.network.endpoint.ifname`
// (docker 28: the interface's name, what compose's `interface_name` sets).

export const SYSCTLS_OPTION = 'com.docker.network.endpoint.sysctls';
export const IFNAME_OPTION = 'com.docker.network.endpoint.ifname';
export const ENDPOINT_OPTIONS = [SYSCTLS_OPTION, IFNAME_OPTION] as const;

/** One sysctl of an interface: `/proc/sys/net/<family>/<group>/<ifname>/<name>` gets `value`. */
export interface InterfaceSysctl {
  family: 'ipv4' | 'ipv6' | 'mpls';
  group: 'conf' | 'neigh';
  name: string;
  value: string;
}

/**
 * `net.X.Y.IFNAME.Z=V` as docker takes it (IFNAME or ifname, since docker's CLI lowercases
 * it): X ipv4, ipv6 or mpls. Stack is stricter where a looser name could leave the
 * interface's folder: Y is conf or neigh, Z a sysctl's file name, V a plain word.
 */
const SYSCTL = /^net\.(ipv4|ipv6|mpls)\.(conf|neigh)\.(?:IFNAME|ifname)\.([a-z0-9_]+)=([A-Za-z0-9_.:+-]{1,64})$/;
export const SYSCTL_FORM =
  "net.X.Y.IFNAME.Z=V, X one of ipv4, ipv6 or mpls, Y conf or neigh (e.g. 'net.ipv4.conf.IFNAME.log_martians=1')";

/** The sysctls of the option's comma-separated value, or the entry that is not one. */
export function parseInterfaceSysctls(value: string): { sysctls: InterfaceSysctl[] } | { bad: string } {
  const sysctls: InterfaceSysctl[] = [];
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') continue;
    const m = SYSCTL.exec(entry);
    if (!m) return { bad: entry };
    sysctls.push({
      family: m[1] as InterfaceSysctl['family'],
      group: m[2] as InterfaceSysctl['group'],
      name: m[3]!,
      value: m[4]!,
    });
  }
  return { sysctls };
}

/** Whether `s` has the form parseInterfaceSysctls gives (the host checks it again before it writes). */
export function isInterfaceSysctl(s: InterfaceSysctl): boolean {
  return SYSCTL.test(`net.${s.family}.${s.group}.IFNAME.${s.name}=${s.value}`);
}

/** `net.ipv4.conf.IFNAME.x=1` again, for `config`. */
export const sysctlText = (s: InterfaceSysctl) => `net.${s.family}.${s.group}.IFNAME.${s.name}=${s.value}`;
