// A Plan is data: the operations that take the host from what was observed to what the
// stack file asks for, each with the reason it exists and the operations it waits for.
// The executor carries it out without deciding anything; `stack plan` prints it.

import type { ContainerLifecycleHooks } from './lifecycle-hooks.js';
import type { InterfaceSysctl } from './endpoint-options.js';
import type {
  DependencyCondition,
  NamespaceModes,
  Healthcheck,
  LogDriver,
  Resources,
  RestartPolicy,
  Ulimit,
  VolumeConfig,
  VolumeMount,
} from './types.js';

export interface NetworkSpec {
  project: string;
  key: string;
  name: string;
  /** Linux bridge name (`stk` + hash, at most 15 bytes). */
  bridge: string;
  /** e.g. `10.89.0.0/24`. */
  subnet: string;
  gateway: string;
  prefixLength: number;
  /** `enable_ipv6`: the IPv6 subnet (`fd…::/64`) and gateway of the bridge, beside the IPv4 ones. */
  subnet6?: string;
  gateway6?: string;
  prefixLength6?: number;
  /** `internal: true`: no default route through it, no masquerade, nothing forwarded in or out. */
  internal?: boolean;
  /** `ipam.config ip_range`: dynamic addresses come from here (static ones may lie anywhere in the subnet). */
  ipRange?: string;
  /** Set when another stack made this network and this one only joins it (`external: true`). */
  owner?: string;
  /** `com.docker.network.driver.mtu`: of the bridge and every veth on it (absent: the kernel's 1500). */
  mtu?: number;
  /** `ipam.config aux_addresses`: addresses no container is given. */
  auxAddresses?: string[];
  /** The network's `labels`, kept in its record; not part of networkHash (see there). */
  labels?: Record<string, string>;
}

export interface Endpoint {
  network: string;
  bridge: string;
  /** Host end of the veth pair (`stk…`, at most 15 bytes). */
  hostVeth: string;
  /** Interface name inside the container (`eth0`, `eth1`, …). */
  ifname: string;
  ip: string;
  prefixLength: number;
  gateway: string;
  /** On a network with IPv6: the interface's IPv6 address, its prefix length and the gateway (the default route's too). */
  ip6?: string;
  prefixLength6?: number;
  gateway6?: string;
  /** Whether the default route goes through this endpoint's gateway. */
  defaultRoute: boolean;
  /** The network's MTU, for both ends of the veth (absent: the kernel's 1500). */
  mtu?: number;
  /** `link_local_ips`: more addresses of the interface. */
  linkLocalIps?: string[];
  /** Network aliases of the service on this network (the DNS server answers them). */
  aliases?: string[];
  /** `mac_address`: the container's end of the veth; else one derived from its IPv4 address. */
  mac?: string;
  /** `driver_opts` com.docker.network.endpoint.sysctls: written for the interface once it has its addresses. */
  sysctls?: InterfaceSysctl[];
}

export interface HostsEntry {
  ip: string;
  names: string[];
}

/** Where a container's output goes: its log file, rotated at maxBytes keeping maxFiles files, or nowhere. */
export interface LogConfig {
  driver: LogDriver;
  maxBytes?: number;
  maxFiles?: number;
}

/** Its `post_start` / `pre_stop` hooks (ContainerLifecycleHooks) are run by executor/lifecycle-hooks.ts. */
export interface ContainerSpec extends ContainerLifecycleHooks {
  project: string;
  service: string;
  /**
   * `<project>-<service>-<n>`, or `<project>-<service>-<n>.b` for a replacement started
   * beside the container it replaces (make-before-break): every host object (record,
   * folder, cgroup, log, veths) is keyed by it, so the two can run side by side.
   */
  name: string;
  /** `<project>-<service>-<n>` when `name` is a replacement's: what ps, DNS and logs show. */
  displayName?: string;
  /** The service's `container_name`: the name ps shows and DNS and /etc/hosts answer, besides `name`. */
  containerName?: string;
  hostname: string;
  /** `domainname`: the NIS domain of its UTS namespace (`hostname -d`); left out when unset. */
  domainname?: string;
  image: { ref: string; id: string; layers: string[] };
  /** Resolved entrypoint + command; argv[0] is looked up in PATH inside the container. */
  argv: string[];
  /** `KEY=value`, image env overlaid by the file's environment. */
  env: string[];
  cwd: string;
  endpoints: Endpoint[];
  /** Lines of the container's /etc/hosts (besides localhost). */
  hosts: HostsEntry[];
  stopSignal: string;
  stopGraceSeconds: number;
  /** Replica number n of `<project>-<service>-<n>` (1-based). */
  replica: number;
  /** `user:` as written (uid, uid:gid or names); resolved against the image's /etc/passwd at start. Empty = image user / root. */
  user: string;
  /** group_add: supplementary groups besides the user's, resolved against the image's /etc/group at start. */
  groupAdd?: string[];
  /** cgroup limits. */
  resources: Resources;
  /** Capabilities the process keeps (Docker's default set ± cap_add/cap_drop, or all when privileged), `CAP_` names sorted. */
  capabilities: string[];
  privileged: boolean;
  /** Seccomp: `default` (the built-in filter), `unconfined`, or an absolute path of a profile. */
  seccomp: string;
  noNewPrivileges: boolean;
  readOnlyRootfs: boolean;
  /** Bind, volume and tmpfs mounts in mount order (sorted by target depth). */
  mounts: MountSpec[];
  shmSizeBytes: number;
  /** Namespaced sysctls only (net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*). */
  sysctls: Record<string, string>;
  ulimits: Record<string, Ulimit>;
  /** Run a reaping, signal-forwarding PID 1 in front of argv. */
  init: boolean;
  tty: boolean;
  /** `stdin_open`: its stdin stays open (reads wait, never EOF) instead of /dev/null; left out when false. */
  stdinOpen?: true;
  /** Lines of /etc/resolv.conf inside the container (empty: a copy of the host's). */
  resolvConf: string[];
  /**
   * The service's `dns:` servers. As in docker's user-defined networks, resolv.conf still
   * names the stack's resolver on the gateway (so service names keep resolving); these
   * are where it forwards the names the stack does not know, instead of the host's.
   */
  dnsUpstreams?: string[];
  /** `network_mode`: undefined (own netns on the endpoints), `host`, `none`, or `container:<name>` (join that container's netns). */
  networkMode?: string;
  /** `links`/`external_links` aliases: alias → the name the stack's DNS answers it as, for this container only. */
  links?: Record<string, string>;
  /** `pid`, `ipc`, `uts`, `cgroup` modes; `service:X` written as `container:<name>` (join that container's). */
  namespaces?: NamespaceModes;
  healthcheck?: Healthcheck;
  /**
   * The TCP ports it serves (published and `expose`d): without a healthcheck it is ready
   * once they accept connections (supervisor/readiness-monitor.ts). Not in the hash.
   */
  readyPorts?: number[];
  restart: RestartPolicy;
  labels: Record<string, string>;
  /** A one-off's `run -p`/`-P` ports: DNAT rules in a table of its own (names.ts oneOffTableName), there while it runs. */
  oneOffPorts?: PortRule[];
  /** `logging:` (model/log-rotation.ts); absent: one log file, never rotated, as before the key existed. */
  logging?: LogConfig;
  /** The service's `annotations`, left out when none (docker keeps them on the container; nothing here reads them). */
  annotations?: Record<string, string>;
  /** Config hash: a change means the container must be recreated. */
  hash: string;
}

/** A mount of the container: a VolumeMount resolved to host paths and names. */
export interface MountSpec extends Pick<
  VolumeMount,
  'target' | 'readOnly' | 'createHostPath' | 'propagation' | 'noCopy' | 'subpath' | 'tmpfsSize' | 'tmpfsMode'
> {
  type: 'bind' | 'volume' | 'tmpfs' | 'file' | 'image';
  /** bind: host path; image: normalised image reference; volume: volume name (`<project>_<key>`, or a generated name for anonymous ones); file: host path of a rendered secret/config; tmpfs: unused. */
  source: string;
  /** file: owner and mode of the file inside the container. */
  uid?: number;
  gid?: number;
  mode?: number;
  /** file: the text itself (a config's `content:`, a secret's `environment:` value) when there is no host file. */
  content?: string;
  /** volume: declared `external: true` (must exist; never created or removed by stack). */
  external?: boolean;
  /** volume: made for this container's unnamed `volumes:` entry (removed by `down -v`). */
  anonymous?: boolean;
  /** volume: the host folder that keeps its data (driver_opts type none, o bind), instead of the store's `_data`. */
  device?: string;
  /** volume of the file (not external, not anonymous): what it is made from, recorded in the store when stack creates it. */
  volume?: { config: VolumeConfig; hash: string };
  /** image: the stored image it shows (read-only), so a new pull of the reference changes the hash. */
  image?: { id: string; layers: string[] };
}

export interface PortRule {
  service: string;
  container: string;
  protocol: 'tcp' | 'udp';
  hostIp?: string;
  hostPort: number;
  containerIp: string;
  /** The container's IPv6 address on that network, when it has one: the port is published on IPv6 host addresses too. */
  containerIp6?: string;
  containerPort: number;
}

export interface NatSpec {
  project: string;
  /** nftables table (`stk_…`) owned by this stack. */
  table: string;
  /**
   * The bridges this stack made and their subnets: masquerade for traffic leaving them,
   * isolation from every other stack bridge, nothing in or out when `internal`.
   */
  networks: { bridge: string; subnet: string; subnet6?: string; key?: string; internal?: boolean }[];
  ports: PortRule[];
  hash: string;
}

interface OpBase {
  /** Stable within a plan, e.g. `start:web`. */
  id: string;
  /** Why this operation exists, in words a user understands. */
  cause: string;
  /** Ids of operations that must finish first. */
  after: string[];
  /**
   * Ids of operations that must have finished first, successfully or not: their failure
   * does not skip this one (a `container.wait` reports a dependency that failed to start
   * itself, and only warns when the dependency has `required: false`).
   */
  settled?: string[];
}

/** One depends_on entry a `container.wait` checks. */
export interface WaitDependency {
  service: string;
  /** Its containers; each must meet the condition. */
  containers: string[];
  /** `ready` (a replacement's wait): healthy with a healthcheck, else running; exit 0 counts, another exit fails. */
  condition: DependencyCondition | 'ready';
  /** false: a dependency that fails the condition only warns. */
  required: boolean;
  /** Give up after this long (none: wait until the condition is met or fails). */
  timeoutSeconds?: number;
}

export type Operation =
  | (OpBase & { kind: 'network.create'; network: NetworkSpec })
  | (OpBase & { kind: 'network.remove'; project: string; key: string; bridge: string })
  | (OpBase & {
      kind: 'container.start';
      container: ContainerSpec;
      /**
       * Ids of operations that must succeed before the container's command runs (its
       * execve), while everything before it (rootfs, init stage, network) goes ahead at
       * once: the starts of its `service_started` dependencies in the same plan. Compose
       * only promises that a dependency has started before the dependent does, so only
       * the command waits; if one fails, the container is taken down unstarted.
       */
      releaseAfter?: string[];
      /** Run the container's pre_start steps first: it is its service's first start while none of it runs. */
      preStart?: true;
    })
  | (OpBase & {
      kind: 'container.remove';
      project: string;
      name: string;
      stopSignal: string;
      stopGraceSeconds: number;
      /** Host ends of its veth pairs, removed after it stops. */
      hostVeths: string[];
      /** A replaced container: wait up to this long for its open connections to finish before the stop. */
      drainMs?: number;
    })
  | (OpBase & {
      /** Stops a container and keeps it (`stack stop`): no restart policy brings it back until it is started. */
      kind: 'container.stop';
      project: string;
      name: string;
      stopSignal: string;
      stopGraceSeconds: number;
    })
  /** Starts a stopped container again from its record (`stack start`): same spec, addresses and filesystem. */
  | (OpBase & { kind: 'container.resume'; project: string; name: string })
  /**
   * Sends a signal to a container's PID 1 (`stack kill`). `stops`: the record is marked
   * stopped first, so no restart policy brings it back (docker's rule for SIGKILL and the
   * container's own stop signal).
   */
  | (OpBase & { kind: 'container.signal'; project: string; name: string; signal: string; stops: boolean })
  /** Freezes or thaws every process of a container, in its cgroup (`stack pause`, `unpause`). */
  | (OpBase & { kind: 'container.freeze'; project: string; name: string; frozen: boolean })
  | (OpBase & {
      kind: 'container.wait';
      project: string;
      /** The service that starts once its dependencies meet their conditions. */
      service: string;
      dependencies: WaitDependency[];
      /** Set on a replacement's readiness wait: the container that goes once it is met. */
      replaces?: string;
    })
  /**
   * Makes the host-wide default bridge (model/default-bridge.ts) if it is missing or drifted,
   * and marks the stack as one of its users.
   */
  | (OpBase & { kind: 'bridge.join'; project: string; network: NetworkSpec })
  /** Takes the stack's mark off the default bridge; the last user removes the bridge too. */
  | (OpBase & { kind: 'bridge.leave'; project: string; bridge: string })
  | (OpBase & { kind: 'nat.apply'; nat: NatSpec })
  | (OpBase & { kind: 'nat.remove'; project: string; table: string })
  | (OpBase & { kind: 'volume.remove'; project: string; name: string })
  | (OpBase & { kind: 'stack.forget'; project: string })
  /** `stack create`: the container made (record, folders, cgroup) and not started; marked stopped, so `start`/`up` start it. */
  | (OpBase & { kind: 'container.create'; container: ContainerSpec })
  /** The table of a one-off that no longer runs (its `stack run` was killed): its ports are free again. */
  | (OpBase & { kind: 'ports.unpublish'; project: string; container: string; table: string });

export type OperationKind = Operation['kind'];

export interface Plan {
  project: string;
  operations: Operation[];
  /** Things the user should know that need no operation (e.g. orphans left in place). */
  notes: string[];
}
