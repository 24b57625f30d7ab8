// The typed, validated and normalised model of a stack.yaml: what the loader produces and
// what reconcile() consumes. Every short form of the Compose format has already been
// expanded here (durations in ms, sizes in bytes, ports one mapping per port, env_file
// folded into environment), so later stages never look at raw YAML.

import type { InterfaceSysctl } from './endpoint-options.js';
import type { ServiceHook } from './lifecycle-hooks.js';
import type { ServiceDevelop } from './develop-watch.js';

/** Where a value came from in a stack file (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export interface PortMapping {
  /** Host address to bind; undefined means every host address (0.0.0.0). */
  hostIp?: string;
  /** 0 means "any free port" (docker picks one at start). Ranges are expanded to one mapping per port. */
  hostPort: number;
  /** Host range `START-END:CONTAINER`: any free port from hostPort to hostPortEnd (docker picks one). */
  hostPortEnd?: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** Long-form `name`, informational. */
  name?: string;
}

export interface ServiceNetwork {
  /** Key of the network in Stack.networks. */
  network: string;
  aliases: string[];
  ipv4Address?: string;
  /** `ipv6_address`: on a network with `enable_ipv6` and an IPv6 subnet. */
  ipv6Address?: string;
  /** `link_local_ips`: more addresses of the interface (IPv4; absent when the file gives none). */
  linkLocalIps?: string[];
  /** `interface_name`: the link name inside the container. */
  interfaceName?: string;
  /** `gw_priority`: the highest one carries the default route (compose: default 0). */
  gwPriority: number;
  /** `priority`: order in which the interfaces are attached (higher first). */
  priority: number;
  macAddress?: string;
  /** `driver_opts` com.docker.network.endpoint.sysctls: sysctls of the interface (absent when none). */
  sysctls?: InterfaceSysctl[];
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Dependency {
  service: string;
  condition: DependencyCondition;
  /** `required: false`: a missing or failed dependency only warns. */
  required: boolean;
  /** `restart: true`: recreate/restart this service when the dependency is restarted by stack. */
  restart: boolean;
}

/**
 * Healthcheck fields that may be missing: what the file gives (a key left out is undefined)
 * or what an image's HEALTHCHECK gives (docker's 0 = not set, recorded as undefined). The
 * container's healthcheck is made of both, field by field (effective-healthcheck.ts).
 */
export interface PartialHealthcheck {
  /** `["CMD", …]`, `["CMD-SHELL", "…"]` or `["NONE"]`; empty when none is given. */
  test: string[];
  intervalMs?: number;
  timeoutMs?: number;
  retries?: number;
  startPeriodMs?: number;
  startIntervalMs?: number;
}

/** A service's `healthcheck:` as the file gives it. */
export interface ServiceHealthcheck extends PartialHealthcheck {
  /** `disable: true` or `test: ["NONE"]` (then test is empty): the image's healthcheck is switched off too. */
  disable: boolean;
}

/** The healthcheck a container runs: every field known (the file's, else the image's, else docker's default). */
export interface Healthcheck {
  /** `["CMD", …]` or `["CMD-SHELL", "…"]`; a string test is kept as CMD-SHELL. Empty when disabled. */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startIntervalMs: number;
  /** `disable: true` or `test: ["NONE"]`: the image's healthcheck is switched off too. */
  disable: boolean;
}

export type RestartPolicyName = 'no' | 'always' | 'on-failure' | 'unless-stopped';

export interface RestartPolicy {
  name: RestartPolicyName;
  /** on-failure[:N] / deploy.restart_policy.max_attempts; undefined = unlimited. */
  maxRetries?: number;
  /** deploy.restart_policy.delay (first backoff step), ms. */
  delayMs?: number;
  /** deploy.restart_policy.window, ms. */
  windowMs?: number;
}

/** The kernel's default realtime period (sched_rt_period_us), for cpu_rt_runtime without cpu_rt_period. */
export const DEFAULT_RT_PERIOD_US = 1_000_000;

export interface Resources {
  /** mem_limit / deploy.resources.limits.memory. */
  memoryBytes?: number;
  /** memswap_limit (-1 = unlimited). */
  memorySwapBytes?: number;
  /** mem_reservation / deploy.resources.reservations.memory. */
  memoryReservationBytes?: number;
  /** cpus / deploy.resources.limits.cpus (fractional cores). */
  cpus?: number;
  cpuShares?: number;
  /** pids_limit / deploy.resources.limits.pids. */
  pidsLimit?: number;
  /** cpu_period / cpu_quota (µs): the CFS period and quota, as docker's --cpu-period/--cpu-quota. */
  cpuPeriodUs?: number;
  cpuQuotaUs?: number;
  /** cpuset: the CPUs the container may run on, in the kernel's list format (`0-2,4`). */
  cpuset?: string;
  /** mem_swappiness (0–100; cgroup v1 only). */
  memorySwappiness?: number;
  /** oom_kill_disable (cgroup v1 only). */
  oomKillDisable?: boolean;
  /** oom_score_adj of the container's processes (-1000–1000). */
  oomScoreAdj?: number;
  /**
   * cgroup_parent: the group the container's groups go under, relative to the cgroup root of
   * every hierarchy stack uses (normalised: no leading or trailing `/`). Without it they go
   * under `stack/<project>/`. Carried by the container's record, so every later step finds them.
   */
  cgroupParent?: string;
  /** cpu_rt_runtime / cpu_rt_period (µs): the realtime budget of the container's cpu group (cgroup v1 with CONFIG_RT_GROUP_SCHED). */
  cpuRtRuntimeUs?: number;
  cpuRtPeriodUs?: number;
  blkio?: BlkioConfig;
  /** devices: host device nodes made inside the container and allowed in its device cgroup. */
  devices?: DeviceMapping[];
  /** device_cgroup_rules: more allow rules in the devices.allow format (`c 1:3 mr`). */
  deviceCgroupRules?: string[];
}

/** One `blkio_config` per-device entry: a host device path and its weight or rate. */
export interface BlkioDeviceValue {
  path: string;
  value: number;
}

/** `blkio_config`: rates in bytes or operations per second. */
export interface BlkioConfig {
  weight?: number;
  weightDevice: BlkioDeviceValue[];
  readBps: BlkioDeviceValue[];
  writeBps: BlkioDeviceValue[];
  readIops: BlkioDeviceValue[];
  writeIops: BlkioDeviceValue[];
}

/** A `devices:` entry: the host node `source` appears at `target` with `permissions` (of rwm). */
export interface DeviceMapping {
  source: string;
  target: string;
  permissions: string;
}

export interface Ulimit {
  soft: number;
  hard: number;
}

export type VolumeMountType = 'bind' | 'volume' | 'tmpfs' | 'image';

export interface VolumeMount {
  type: VolumeMountType;
  /**
   * bind: absolute host path (relative paths resolved against the project dir);
   * volume: key in Stack.volumes, or undefined for an anonymous volume; tmpfs: undefined;
   * image: the image reference as written (its layers are mounted read-only).
   */
  source?: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly: boolean;
  /** bind: create the host path when missing (short form: yes; long form: bind.create_host_path, default true). */
  createHostPath?: boolean;
  /** bind propagation (rprivate when unset). */
  propagation?: string;
  /** volume.nocopy: do not copy image content into a new volume. */
  noCopy?: boolean;
  /** volume.subpath / image.subpath: mount this folder of the volume or image (relative, inside it; it must exist), not all of it. */
  subpath?: string;
  /** tmpfs size in bytes / mode. */
  tmpfsSize?: number;
  tmpfsMode?: number;
}

/** A `build.secrets` entry: the owner and mode apply where RUN --mount=type=secret does not set them. */
export interface BuildSecret {
  id: string;
  source: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

/** A `secrets:`/`configs:` entry of a service. */
export interface FileGrant {
  /** Key in Stack.secrets / Stack.configs. */
  source: string;
  /** Absolute path inside the container (secrets default /run/secrets/<source>, configs /<source>). */
  target: string;
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface ExtraHost {
  host: string;
  /** An address, or the literal `host-gateway`. */
  ip: string;
}

/** A service's `build:` (compose's build section), paths absolute. */
export interface BuildSpec {
  /** Absolute context folder (the rules refuse a git URL or a remote tarball). */
  context: string;
  /** As written: relative to the context, or absolute. */
  dockerfile?: string;
  dockerfileInline?: string;
  /** Interpolated; a `KEY` without a value took the environment's, or is left out. */
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
  /** RUN's network: `default` (egress through a build bridge), `none` or `host`. */
  network: 'default' | 'none' | 'host';
  extraHosts: ExtraHost[];
  shmSizeBytes?: number;
  noCache: boolean;
  pull: boolean;
  /** More references the image is stored under, besides the service's image. */
  tags: string[];
  /** As written (the rules allow the host's platform only). */
  platforms: string[];
  /** `RUN --mount=type=secret,id=ID` → the top-level secret `source`; uid, gid and mode are the mount's defaults. */
  secrets: BuildSecret[];
  /** Name → an absolute folder, `service:NAME` (that service's image) or `docker-image://REF`. */
  additionalContexts: Record<string, string>;
}

/** `daily`, `weekly` and `every_<duration>` pull again when the stored image is older (model/pull-refresh.ts). */
export type PullPolicy =
  'missing' | 'always' | 'never' | 'build' | 'if_not_present' | 'daily' | 'weekly' | `every_${string}`;

/**
 * Namespaces a service shares instead of having its own: `host`, `service:NAME` (that
 * service's first container), `container:NAME`; ipc also `shareable`/`private` (its own)
 * and `none` (its own, without /dev/shm); cgroup `private` (its own).
 */
export interface NamespaceModes {
  pid?: string;
  ipc?: string;
  uts?: 'host';
  cgroup?: 'host' | 'private';
}

/** One `volumes_from` entry: `SERVICE[:ro|:rw]` or `container:NAME[:ro|:rw]`. */
export interface VolumesFrom {
  service?: string;
  container?: string;
  readOnly: boolean;
}

export interface Service {
  name: string;
  /** Image reference as written; when only `build` is given, compose's `<project>-<service>`. */
  image: string;
  /** No `image:` in the file: `image` is that default name, no custom tag (what `down --rmi local` removes). */
  imageUnnamed?: true;
  build?: BuildSpec;
  pullPolicy: PullPolicy;
  platform?: string;
  /** Overrides the image ENTRYPOINT when set (an empty list clears it). */
  entrypoint?: string[];
  /** Overrides the image CMD when set. */
  command?: string[];
  /** Environment set by the file (env_file entries first, `environment` over them); image ENV is merged under it by reconcile. */
  environment: Record<string, string>;
  ports: PortMapping[];
  /** `expose`, normalised to `PORT/proto` strings (metadata only). */
  expose: string[];
  /** Dependencies, sorted by service name. */
  dependsOn: Dependency[];
  /** Networks joined, sorted by key (empty when networkMode is set). */
  networks: ServiceNetwork[];
  /** `network_mode`: host | none | bridge | service:NAME | container:NAME. */
  networkMode?: string;
  /** `mac_address` of a service on the default bridge (network_mode bridge): no network of the file carries it. */
  bridgeMac?: string;
  /** `pid`, `ipc`, `uts`, `cgroup` as written; absent: the container's own namespaces. */
  namespaces?: NamespaceModes;
  /** `links` (`SERVICE[:ALIAS]`) and `external_links` (`CONTAINER[:ALIAS]`) as written. */
  links?: string[];
  externalLinks?: string[];
  /** `volumes_from`: whose volumes and binds the service mounts too. */
  volumesFrom?: VolumesFrom[];
  volumes: VolumeMount[];
  /** `tmpfs:` entries (path[:options]) expanded to mounts of type tmpfs. */
  tmpfs: VolumeMount[];
  secrets: FileGrant[];
  configs: FileGrant[];
  /** Merged with the image's HEALTHCHECK when the container spec is built. */
  healthcheck?: ServiceHealthcheck;
  restart: RestartPolicy;
  /** scale / deploy.replicas; 1 by default. */
  replicas: number;
  resources: Resources;
  containerName?: string;
  hostname?: string;
  domainname?: string;
  user?: string;
  /** group_add: supplementary groups (numbers, or names from the image's /etc/group). */
  groupAdd?: string[];
  workingDir?: string;
  labels: Record<string, string>;
  /** `attach: false`: an attached `up` does not show its output unless named (`logs` still does); left out when true. */
  attach?: false;
  /** `annotations` (OCI annotations): kept on the container, shown by `ps --format json`; left out when none. */
  annotations?: Record<string, string>;
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  readOnly: boolean;
  securityOpt: string[];
  /** `init: true`: a PID 1 that reaps zombies and forwards signals. */
  init: boolean;
  tty: boolean;
  stdinOpen: boolean;
  shmSizeBytes?: number;
  sysctls: Record<string, string>;
  ulimits: Record<string, Ulimit>;
  extraHosts: ExtraHost[];
  dns: string[];
  dnsSearch: string[];
  dnsOpt: string[];
  /** `stop_signal` when the file gives one; else the image's StopSignal, else SIGTERM (container-spec.ts). */
  stopSignal?: string;
  stopGracePeriodSeconds: number;
  profiles: string[];
  /** `pre_start` / `post_start` / `pre_stop` hooks, in order (left out when none). */
  preStart?: ServiceHook[];
  postStart?: ServiceHook[];
  preStop?: ServiceHook[];
  /** `develop` (watch rules that `stack watch` acts on); left out when the file has none. */
  develop?: ServiceDevelop;
  /** `logging:` as written (options as strings); absent: json-file without rotation, docker's default. */
  logging?: ServiceLogging;
  pos: SourcePos;
}

export type LogDriver = 'json-file' | 'local' | 'none';

export interface ServiceLogging {
  /** As written: left out means json-file (docker's default), and `config` leaves it out as compose does. */
  driver?: LogDriver;
  options: Record<string, string>;
}

export interface Network {
  /** Key in the file (`default` for the implicit one). */
  key: string;
  /** Name as docker compose would show it: `<project>_<key>`, or `name:`. */
  name: string;
  driver: string;
  driverOpts: Record<string, string>;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  /** The IPv6 `ipam.config` entry's subnet (with `enable_ipv6`; absent: a ULA /64 stack picks). */
  subnet6?: string;
  /** The IPv6 entry's gateway (absent: the subnet's first address). */
  gateway6?: string;
  /** `ipam.config aux_addresses`, name → address: addresses no container is given (absent when none). */
  auxAddresses?: Record<string, string>;
  internal: boolean;
  external: boolean;
  attachable: boolean;
  enableIpv6: boolean;
  labels: Record<string, string>;
}

export interface Volume {
  key: string;
  name: string;
  external: boolean;
  driver: string;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
}

/** What a named volume is made from: fixed when it is created (see check-volumes.ts). */
export type VolumeConfig = Pick<Volume, 'driver' | 'driverOpts' | 'labels'>;

/** A top-level secret or config: where its content comes from. */
export interface FileObject {
  key: string;
  name: string;
  external: boolean;
  /** Absolute path of `file:`. */
  file?: string;
  /** `environment:` variable name. */
  environment?: string;
  /** `content:` (configs) — inline text; for `environment:`, that variable's value when the file was loaded. */
  content?: string;
}

export interface Stack {
  /** Project name: lowercase letters, digits, `-` and `_`. */
  project: string;
  /** Absolute path of the main stack file (informational). */
  file: string;
  /** Folder relative paths in the file are resolved against. */
  projectDir: string;
  /** Services sorted by name (services disabled by profiles are left out). */
  services: Service[];
  /** Networks sorted by key. */
  networks: Network[];
  volumes: Volume[];
  secrets: FileObject[];
  configs: FileObject[];
  /** `--compatibility` (COMPOSE_COMPATIBILITY): compose v1's `_` in the names compose gives (model/names.ts nameSeparator). */
  compatibility?: true;
}
