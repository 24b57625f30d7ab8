// What of a service Kubernetes has no place for, each a warning at its key (an error with
// --strict): the host's namespaces, devices and cgroup knobs, fixed addresses, shared
// namespaces between services, and the other things a pod on some node cannot have.

import type { Service } from '../../model/types.js';
import { warnService, warnTop, type ConvertContext } from './convert-context.js';

type Check = [applies: (s: Service) => boolean, path: string, message: (s: Service) => string];

const NOT_CARRIED = 'is not carried over';

const CHECKS: Check[] = [
  [
    (s) => s.networkMode === 'host',
    'network_mode',
    () => "network_mode: host is the node's network; not carried over (hostNetwork would be a different host)",
  ],
  [
    (s) => !!s.networkMode?.startsWith('container:'),
    'network_mode',
    (s) => `${s.networkMode} names a container outside the stack; the pod is on no network`,
  ],
  [
    (s) => !!s.networkMode?.startsWith('service:'),
    'network_mode',
    (s) =>
      `${s.networkMode}: in Kubernetes only containers of one pod share a network namespace; it is a pod of its own on the networks of ${s.networkMode!.slice(8)}, and localhost does not reach it`,
  ],
  [
    (s) => !!s.resources.devices?.length,
    'devices',
    () => `devices of the host ${NOT_CARRIED} (a device plugin provides them in a cluster)`,
  ],
  [(s) => !!s.resources.deviceCgroupRules?.length, 'device_cgroup_rules', () => `device_cgroup_rules ${NOT_CARRIED}`],
  [
    (s) => Object.keys(s.ulimits).length > 0,
    'ulimits',
    () => `ulimits ${NOT_CARRIED} (the node's container runtime sets them)`,
  ],
  [(s) => !!s.namespaces?.pid, 'pid', (s) => `pid: ${s.namespaces!.pid} ${NOT_CARRIED}`],
  [
    (s) => !!s.namespaces?.ipc && s.namespaces.ipc !== 'private' && s.namespaces.ipc !== 'shareable',
    'ipc',
    (s) => `ipc: ${s.namespaces!.ipc} ${NOT_CARRIED}`,
  ],
  [(s) => !!s.namespaces?.uts, 'uts', () => `uts: host ${NOT_CARRIED}`],
  [(s) => s.namespaces?.cgroup === 'host', 'cgroup', () => `cgroup: host ${NOT_CARRIED}`],
  [
    (s) => !!s.volumesFrom?.length,
    'volumes_from',
    () => `volumes_from ${NOT_CARRIED}: mount the same named volumes instead`,
  ],
  [
    (s) => !!s.links?.length,
    'links',
    () => 'links: their aliases are not answered in the cluster (the service names are)',
  ],
  [(s) => !!s.externalLinks?.length, 'external_links', () => `external_links ${NOT_CARRIED}`],
  [
    (s) => s.resources.cpuShares !== undefined,
    'cpu_shares',
    () => `cpu_shares ${NOT_CARRIED} (requests weigh CPU in Kubernetes)`,
  ],
  [
    (s) => s.resources.cpuset !== undefined,
    'cpuset',
    () => `cpuset ${NOT_CARRIED} (the kubelet's CPU manager pins CPUs)`,
  ],
  [
    (s) => s.resources.cpuQuotaUs !== undefined || s.resources.cpuPeriodUs !== undefined,
    'cpu_quota',
    () => 'cpu_period/cpu_quota: give cpus instead; not carried over',
  ],
  [(s) => s.resources.blkio !== undefined, 'blkio_config', () => `blkio_config ${NOT_CARRIED}`],
  [(s) => s.resources.memorySwapBytes !== undefined, 'memswap_limit', () => `memswap_limit ${NOT_CARRIED}`],
  [(s) => s.resources.memorySwappiness !== undefined, 'mem_swappiness', () => `mem_swappiness ${NOT_CARRIED}`],
  [(s) => s.resources.oomKillDisable !== undefined, 'oom_kill_disable', () => `oom_kill_disable ${NOT_CARRIED}`],
  [
    (s) => s.resources.oomScoreAdj !== undefined,
    'oom_score_adj',
    () => `oom_score_adj ${NOT_CARRIED} (Kubernetes sets it from the pod's QoS class)`,
  ],
  [
    (s) => s.stopSignal !== undefined && s.stopSignal !== 'SIGTERM',
    'stop_signal',
    (s) => `stop_signal ${s.stopSignal} ${NOT_CARRIED}: Kubernetes sends SIGTERM`,
  ],
  [(s) => s.domainname !== undefined, 'domainname', () => `domainname ${NOT_CARRIED}`],
  [
    (s) => s.logging !== undefined,
    'logging',
    () => "logging: the node's runtime keeps container logs; not carried over",
  ],
  [
    (s) => s.networks.some((n) => n.ipv4Address || n.macAddress || n.linkLocalIps?.length),
    'networks',
    () =>
      'fixed addresses (ipv4_address, mac_address, link_local_ips) are not carried over: the cluster gives pod addresses',
  ],
];

export function carryOverWarnings(ctx: ConvertContext): void {
  for (const service of ctx.stack.services)
    for (const [applies, path, message] of CHECKS)
      if (applies(service)) warnService(ctx, service, [path], message(service));
  for (const n of ctx.stack.networks)
    if (n.subnet || n.driver !== 'bridge' || Object.keys(n.driverOpts).length)
      warnTop(
        ctx,
        ['networks', n.key],
        `the network's driver, options and addresses are not carried over: the cluster's network plugin gives pod addresses`,
      );
}
