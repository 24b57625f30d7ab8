// What the host looks like right now, as far as one stack is concerned. The executor's
// Host builds it (state records joined with live kernel checks); reconcile() only reads it.

import type { NatSpec, NetworkSpec, PortRule } from './plan.js';
import type { PartialHealthcheck, VolumeConfig } from './types.js';

/** An image in the local store, as recorded at import or pull time. */
export interface ImageInfo {
  /** Normalised reference, e.g. `docker.io/library/busybox:latest`. */
  ref: string;
  /** `sha256:…` digest of the image config. */
  id: string;
  /** Layer store keys (`sha256:…` digests), base layer first. */
  layers: string[];
  entrypoint?: string[];
  cmd?: string[];
  /** `KEY=value` entries from the image config. */
  env: string[];
  workingDir?: string;
  user?: string;
  /** The config's HEALTHCHECK (absent in records written before stack read it: import or pull again). */
  healthcheck?: PartialHealthcheck;
  /** The config's StopSignal, in a form the runtime sends (model/signals.ts); absent in records written before stack read it. */
  stopSignal?: string;
  /**
   * Digest of the image's OCI manifest when its blobs are kept under `paths.blobFile` (the
   * manifest, the config it names and every compressed layer): built images have one, and
   * `stack push`/`image save` need one.
   */
  manifest?: string;
  /** `os/architecture[/variant]` from the image config; absent in records written before stack kept it. */
  platform?: string;
}

export interface ObservedEndpoint {
  network: string;
  ip: string;
  hostVeth: string;
  /** Its IPv6 address, on a network with IPv6. */
  ip6?: string;
  /** False when the host end of the veth is gone while the container runs (drift). Unknown = present. */
  present?: boolean;
}

export interface ObservedContainer {
  name: string;
  /** Its slot's name when `name` is a replacement's (ContainerSpec.displayName). */
  displayName?: string;
  service: string;
  /** n of `<project>-<service>-<n>`; 1 when the record predates replicas. */
  replica?: number;
  /** Config hash the container was created from (see model/hash.ts). */
  hash: string;
  /** True when its PID 1 is alive (pid and start time both match the record). */
  running: boolean;
  /** Stopped on purpose (`stack stop`, Ctrl-C of an attached `up`): kept to be started again. */
  stopped?: boolean;
  /** Frozen by `stack pause`. */
  paused?: boolean;
  /** Frozen in the kernel though no record says paused (a `commit --pause` killed mid-way): to be thawed. */
  frozenUnpaused?: boolean;
  pid?: number;
  exitCode?: number;
  /** How this container wants to be stopped (from the file it was created from). */
  stopSignal: string;
  stopGraceSeconds: number;
  endpoints: ObservedEndpoint[];
}

export interface ObservedNetwork {
  key: string;
  name: string;
  bridge: string;
  subnet: string;
  gateway: string;
  /** The IPv6 subnet of a network with IPv6 (kept across plans unless the file names another). */
  subnet6?: string;
  /** networkHash() of the record; absent in records written before networks had one. */
  hash?: string;
  /** The labels the record keeps (absent: none, or a record written before stack kept them). */
  labels?: Record<string, string>;
  /** False when the record exists but the bridge is gone or lost its address, up state or route_localnet (drift). */
  linkPresent: boolean;
  /** Containers of other stacks attached to it (they joined it as `external: true`). */
  foreignUsers?: string[];
  /** The addresses those containers hold on it, which this stack must not hand out again. */
  foreignIps?: string[];
}

/**
 * A network another stack made (its NetworkSpec record, `project` being that stack), which
 * this one may join (`external: true`) by its `name`.
 */
export interface ForeignNetwork extends Pick<
  NetworkSpec,
  | 'project'
  | 'key'
  | 'name'
  | 'bridge'
  | 'subnet'
  | 'gateway'
  | 'prefixLength'
  | 'ipRange'
  | 'internal'
  | 'mtu'
  | 'auxAddresses'
  | 'subnet6'
  | 'gateway6'
  | 'prefixLength6'
> {
  /** Addresses containers of other stacks hold on it. */
  usedIps: string[];
}

export interface ObservedNat {
  /** The rules of the last apply (host ports stack chose are kept from here). */
  ports?: PortRule[];
  table: string;
  hash: string;
  present: boolean;
  /** The networks its rules serve (down keeps those of a network other stacks still use). */
  networks?: NatSpec['networks'];
}

/** A listening TCP or bound UDP socket of the host's network namespace (not a stack's DNAT rule). */
export interface HostPort {
  protocol: 'tcp' | 'udp';
  /** Local address: `0.0.0.0` and `::` mean every address. */
  ip: string;
  port: number;
  /** The process holding the socket, when it could be found. */
  pid?: number;
  command?: string;
}

export interface Observed {
  project: string;
  containers: ObservedContainer[];
  networks: ObservedNetwork[];
  nat?: ObservedNat;
  images: ImageInfo[];
  /** CIDRs already used on the host (routes, other stacks) that a new network must avoid. */
  takenSubnets: string[];
  /** Ports programs on the host already listen on; a published port there would shadow them. */
  hostPorts: HostPort[];
  /** Every volume in the host's store (external volumes must be among them). */
  volumes: ObservedVolume[];
  /** Of ObserveOptions.hostPaths, the ones that do not exist. */
  missingPaths: string[];
  /** Networks other stacks on this host made (candidates for `external: true`). */
  foreignNetworks?: ForeignNetwork[];
  /** Running containers of other stacks (targets of `external_links`), by every name they go by. */
  foreignContainers?: ForeignContainer[];
  /** Bridges other stacks' applies in progress are making (model/claims.ts), before their records exist. */
  claimedBridges?: { bridge: string; project: string }[];
  /** Host ports other stacks publish (their DNAT rules, which no socket shows), and the running one-offs of every stack (this one's too). */
  foreignPorts?: ForeignPort[];
  /** Tables of this stack's one-offs that no longer run (their `stack run` was killed): unpublished by the next plan. */
  staleOneOffTables?: { container: string; table: string }[];
  /** This stack's objects that no readable record describes (planner/plan/salvage.ts removes them). */
  unrecorded?: UnrecordedObjects;
  /** Damaged records of other stacks, skipped (each names its file and what is wrong). */
  skippedRecords?: string[];
  /** The host-wide default bridge of `network_mode: bridge` (model/default-bridge.ts); absent on a host that has none (FakeHost). */
  defaultBridge?: ObservedDefaultBridge;
}

/** A running container of another stack: its names (slot, instance, container_name) and addresses. */
export interface ForeignContainer {
  project: string;
  names: string[];
  endpoints: { bridge: string; ip: string }[];
}

/** The host-wide default bridge as this stack sees it. */
export interface ObservedDefaultBridge {
  /** Its names on this host (they follow from STACK_ROOT). */
  bridge: string;
  table: string;
  /** Its record, or the spec another stack's apply in progress claims for it; absent: not made. */
  spec?: NetworkSpec;
  /** The stacks that use it (their marks), this one included when it does. */
  users: string[];
  /** The bridge is configured and its table intact (false: absent, or drift). */
  present: boolean;
  /** Its record, bridge or table exists: with no user left, what a leave killed half-way left behind. */
  leftover: boolean;
  /** Addresses other stacks' containers hold on it (and their applies in progress claim). */
  usedIps: string[];
}

/**
 * Objects of this stack found by their names (model/names.ts) though no readable record
 * describes them: their record was damaged (truncated, emptied, garbage, another shape) or
 * deleted. Nothing can be known of them but their names, so they are removed, never kept.
 */
export interface UnrecordedObjects {
  /** Each damaged record: its path and what is wrong with it. */
  damaged: string[];
  /** Containers with a group, folder or damaged record; the host ends of their veths that exist. */
  containers: { name: string; hostVeths: string[] }[];
  /** Networks (by key) whose bridge exists or whose record is damaged. */
  networks: { key: string; bridge: string }[];
  /** The stack's nftables table, when it exists or its record is damaged. */
  natTable?: string;
}

/** A host port another stack publishes: its NAT record's rule, with who made it. */
export interface ForeignPort {
  protocol: 'tcp' | 'udp';
  port: number;
  /** undefined: every host address. */
  hostIp?: string;
  project: string;
  service: string;
  /** A one-off's (`run -p`): its container name. */
  oneOff?: string;
}

/** A volume in the host's volume store (any stack's, or made by hand). */
export interface ObservedVolume {
  name: string;
  /** The stack that created it; undefined for a volume made outside any stack. */
  project?: string;
  /** Made for one container's unnamed `volumes:` entry. */
  anonymous: boolean;
  /** The host folder that keeps its data, when it was made bind-backed (driver_opts device). */
  device?: string;
  /** volumeHash() of what it was made from; absent for volumes made before volumes had one, by hand or by `stack volume create`. */
  hash?: string;
  /** What it was made from (driver, driver_opts, labels), to say which of them the file changed. */
  config?: VolumeConfig;
}

/** What observe needs from the file: the ports it publishes, whose owners it looks up; host paths that must exist. */
export interface ObserveOptions {
  publishedPorts?: readonly { protocol: 'tcp' | 'udp'; port: number }[];
  /** Secret/config files and bind sources that must not be created: observe reports the absent ones. */
  hostPaths?: readonly string[];
}

export function emptyObserved(project: string): Observed {
  return {
    project,
    containers: [],
    networks: [],
    images: [],
    takenSubnets: [],
    hostPorts: [],
    volumes: [],
    missingPaths: [],
  };
}
