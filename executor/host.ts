// Every side effect the executor causes goes through this interface. The Linux
// implementation (executor/host/linux/) is the only code that touches the kernel; tests of
// the executor use the recording FakeHost (executor/fake-host.ts).

import type { Writable } from 'node:stream';
import type { LayerBlob } from '../images/build/layer-from-upper.js';
import type { ContainerSpec, Endpoint, NatSpec, NetworkSpec, PortRule } from '../model/plan.js';
import type { ObserveOptions, Observed } from '../model/observed.js';
import type { Claims } from '../model/claims.js';
import type { WaitCondition, WaitOptions, WaitOutcome } from '../model/conditions.js';
import type { ContainerHealth, ContainerRecord, Readiness } from '../model/records.js';
import type { SyncRequest } from '../model/container-sync.js';

export interface SpawnedContainer {
  pid: number;
  startTime: number;
}

export interface ContainerExit {
  project: string;
  name: string;
  /** Exit code, or 128 + signal number when killed by a signal; -1 when unknown (an adopted container: only its parent could wait for it). */
  exitCode: number;
  /** The OOM killer struck in its memory cgroup (exit code 137 then, usually). */
  oomKilled?: boolean;
  /**
   * The host pid of the process that exited. The container may run a newer process by the
   * time the exit is handled (a restart of an adopted one): its record then names another
   * pid, and this exit is not its.
   */
  pid?: number;
}

/** One process of a container, as `ps -ef` (and so `docker top`) shows it. */
export interface ContainerProcess {
  /** Its user on the host (a container's root is the host's root: no user namespace). */
  uid: number;
  pid: number;
  ppid: number;
  /** Start, in ms since the epoch. */
  startedAt: number;
  /** CPU time used, user and system, in seconds. */
  cpuSeconds: number;
  /** `pts/3`, or undefined without a controlling terminal. */
  tty?: string;
  /** Its argv, or `[name]` for a kernel-made process with none. */
  command: string;
}

/** A running container's counters (`stack stats`), as the kernel keeps them. */
export interface ContainerStats {
  /** CPU time used, in ns, since it started: two samples give the rate. */
  cpuNs: number;
  /** Memory in use without the inactive page cache (docker's figure), and its limit (the host's memory when none). */
  memoryBytes: number;
  memoryLimitBytes: number;
  pids: number;
  /** Bytes through every interface of its network namespace but lo. */
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
}

/** `stack cp`'s choices: keep owners (`-a`), follow a symlink that the source itself is (`-L`). */
export interface CopyOptions {
  archive: boolean;
  followLink: boolean;
}

/** How an exec'd process's standard streams are wired: ours, none, or pipes read through onOutput. */
export type ExecStdio = 'inherit' | 'ignore' | 'pipe';

/** A process to run inside a running container (`stack exec`, healthchecks). */
export interface ExecOptions {
  argv: string[];
  /** `KEY=value` entries laid over the container's own environment. */
  env?: string[];
  /** `user`, `uid`, `user:group` or `uid:gid`, looked up in the container's /etc/passwd; default: the container's user. */
  user?: string;
  /** Working directory inside the container; default: the container's. */
  cwd?: string;
  /** Every capability and no seccomp filter, as `docker exec --privileged` (a `privileged: true` hook). */
  privileged?: boolean;
  /** A terminal from the container's own devpts; with stdio 'inherit', ours is put in raw mode and copied both ways. */
  tty?: boolean;
  /** Default 'ignore'. With 'pipe', stdin gets `input` (or EOF) and output goes to onOutput. */
  stdio?: ExecStdio;
  input?: string | Buffer;
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  /** Aborting kills the process (SIGKILL); the promise then resolves with 137. */
  signal?: AbortSignal;
  /** `exec -d`: resolve with 0 once the command has started (in a session of its own, no stdio), not when it ends. */
  detach?: boolean;
}

// The errors a Host's containers reject with, typed so the supervisor and the CLI can tell
// them apart (and render them) without importing the Linux host.

/** The init stage could not make or start the container; `step` says where. */
export class ContainerStartError extends Error {
  readonly container: string;
  readonly step: string;
  /** The init stage's own words, e.g. `executable file not found in $PATH: foo`. */
  readonly detail: string;
  constructor(container: string, step: string, detail: string) {
    super(`container ${container}: init failed at ${step}: ${detail}`);
    this.name = 'ContainerStartError';
    this.container = container;
    this.step = step;
    this.detail = detail;
  }
}

/**
 * A bridge of the network's name exists and holds another address than the network's
 * gateway: another network (a custom `com.docker.network.bridge.name` two stacks chose)
 * has it. Adopting it would join the two networks on one link.
 */
export class BridgeTakenError extends Error {
  readonly bridge: string;
  readonly addresses: string[];
  constructor(bridge: string, addresses: string[], wanted: string) {
    super(
      `bridge ${bridge} exists with address ${addresses.join(', ')}, not ${wanted}: another network (another stack's, with the same com.docker.network.bridge.name) has it; choose another bridge name, or join that network with external: true`,
    );
    this.name = 'BridgeTakenError';
    this.bridge = bridge;
    this.addresses = addresses;
  }
}

/** A process could not be started in a container; exitCode is what `stack exec` exits with. */
export class ContainerExecError extends Error {
  readonly container: string;
  readonly step: string;
  readonly detail: string;
  readonly exitCode: number;
  constructor(container: string, step: string, detail: string, exitCode: number) {
    super(`container ${container}: cannot exec (${step}): ${detail}`);
    this.name = 'ContainerExecError';
    this.container = container;
    this.step = step;
    this.detail = detail;
    this.exitCode = exitCode;
  }
}

/** `stack cp`/`export` cannot do what it was asked (docker cp's refusals: a folder onto a file, a missing folder; a stopped container). */
export class CopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyError';
  }
}

export interface Host {
  /** Joins the state records of `project` with live kernel checks. */
  observe(project: string, opts?: ObserveOptions): Promise<Observed>;

  /**
   * A stack without records: removes its cgroups observe cannot name (`cgroup_parent` groups,
   * an empty `stack/<project>` level), killing what runs in them; resolves with what went, in words.
   */
  removeLeftoverCgroups(project: string): Promise<string[]>;

  networks: {
    /** Creates the bridge with its gateway address, up; idempotent. */
    createBridge(net: NetworkSpec): Promise<void>;
    /** Removes the bridge if present. */
    removeBridge(bridge: string): Promise<void>;
    /** veth pair: host end on the bridge, peer in the netns of `pid` as ep.ifname with its address and routes. */
    attach(pid: number, ep: Endpoint): Promise<void>;
    /** Removes the host end of a veth (and so its peer) if present. */
    detach(hostVeth: string): Promise<void>;
    /** Brings up lo in the netns of `pid` (attach does it too; this is for `network_mode: none`). */
    loopback(pid: number): Promise<void>;
    /** Makes 127.0.0.11:53 in the netns of `pid` lead to the stack's DNS server on `gateway` (docker's fixed resolver address). */
    fixedResolver(pid: number, gateway: string): Promise<void>;
  };

  /**
   * The host-wide default bridge of `network_mode: bridge` (model/default-bridge.ts). Both
   * run under the allocation lock, so a join and the last user's leave never cross.
   */
  defaultBridge: {
    /** Marks `project` as a user, then makes the bridge and its table (or repairs them); idempotent. */
    join(project: string, net: NetworkSpec): Promise<void>;
    /** Takes `project`'s mark off; with no user left, removes the table, the bridge and the record. */
    leave(project: string): Promise<void>;
  };

  nat: {
    /**
     * Replaces the stack's nftables table atomically with the rules of `spec`, and the
     * accepts for its bridges in other software's dropping chains (docker, firewalls).
     */
    apply(spec: NatSpec): Promise<void>;
    /** Removes the table and every accept marked with its name from other software's chains. */
    remove(table: string): Promise<void>;
    /** Makes (or replaces) the table of a one-off's published ports (`run -p`): its DNAT rules alone. */
    publish(table: string, project: string, ports: readonly PortRule[]): Promise<void>;
    /** Removes a one-off's table; nothing when it is gone already. */
    unpublish(table: string): Promise<void>;
    /** The ruleset's generation, which any change of the ruleset raises: unchanged, what was applied is intact. */
    generation(): Promise<number>;
  };

  containers: {
    /** Directories, /etc/hosts and cgroup for a container that is about to start. */
    prepare(spec: ContainerSpec): Promise<void>;
    /**
     * Spawns the init stage in new namespaces; it sets up the rootfs and waits for release().
     * `attach`: the container's stdin/stdout/stderr are this process's (`stack run`), not the log file.
     */
    spawn(spec: ContainerSpec, opts?: { attach?: boolean }): Promise<SpawnedContainer>;
    /** Lets the init stage exec the container's command; resolves once it has. */
    release(project: string, name: string): Promise<void>;
    /**
     * Resolves once the container has no established TCP connection, or after `maxMs`: the
     * requests a replaced container still answers finish before it is stopped.
     */
    drain(project: string, name: string, maxMs: number): Promise<void>;
    /** Stop signal, then SIGKILL after the grace period; kills whatever is left in its cgroup. */
    stop(project: string, name: string, signal: string, graceSeconds: number): Promise<void>;
    /** Removes the cgroup and the container's directories. */
    cleanup(project: string, name: string): Promise<void>;
    /** Sends `signal` (`SIGUSR1`, `USR1`, `10`) to the container's PID 1; nothing when it is not running. */
    signal(project: string, name: string, signal: string): Promise<void>;
    /** Freezes (`frozen`) or thaws every process in the container's cgroup; resolves once the kernel says so. */
    freeze(project: string, name: string, frozen: boolean): Promise<void>;
    /** The processes in the container's cgroup (`stack top`), by pid; none when it is not running. */
    processes(project: string, name: string): Promise<ContainerProcess[]>;
    /** Its counters (`stack stats`); undefined when it is not running. */
    stats(project: string, name: string): Promise<ContainerStats | undefined>;
    /**
     * Copies between the running container's filesystem (its mount namespace; its paths
     * resolved inside its root, never leading out) and the host's, as docker cp places them.
     */
    copy(
      project: string,
      name: string,
      direction: 'from-container' | 'to-container',
      src: string,
      dest: string,
      opts: CopyOptions,
    ): Promise<void>;
    /** The running container's filesystem (the overlay's merged view, mount points empty) as a tar into `out`. */
    exportFs(project: string, name: string, out: Writable): Promise<void>;
    /** A stream into the running container's stdin when it was started with `stdin_open`; undefined without. */
    stdin(project: string, name: string): Promise<Writable | undefined>;
    /** The container's changes (its overlay upper folder, running or stopped) as a gzipped OCI layer blob at `outFile`. */
    snapshotLayer(project: string, name: string, outFile: string): Promise<LayerBlob>;
    /**
     * Runs a process inside the running container: its namespaces, cgroup, capabilities,
     * no_new_privs and seccomp. Resolves with the process's exit code (128 + signal when
     * killed); rejects with ContainerExecError when it could not be started (no such or
     * stopped container, unknown user, command not found: exitCode 126/127 as docker).
     */
    exec(project: string, name: string, opts: ExecOptions): Promise<number>;
    /**
     * Writes host files into the running container as its processes see its filesystem
     * (its mount namespace; symlinks resolve inside its root, never out of it), removes
     * `remove`, keeps modes, and gives what it writes to the container's user. Resolves with
     * the number of paths written or removed; rejects with ContainerSyncError.
     */
    sync(project: string, name: string, request: SyncRequest): Promise<number>;
    /**
     * Watches a running container that another (dead) supervisor spawned, so its exit is
     * reported through onExit too (exit code -1: unknown). Does nothing for our own children.
     */
    adopt(project: string, name: string, pid: number, startTime: number): void;
    /** Called for every container process that exits while this host watches it. */
    onExit(listener: (exit: ContainerExit) => void): void;
    /**
     * Resolves once the container meets `condition` (see conditions.ts), or with the reason
     * it cannot: it failed to start, exited, turned unhealthy, or the time ran out.
     */
    waitFor(project: string, name: string, condition: WaitCondition, opts?: WaitOptions): Promise<WaitOutcome>;
  };

  volumes: {
    /** Removes a volume with its data; nothing when it is absent. */
    remove(name: string): Promise<void>;
  };

  /**
   * What stacks take from the host (subnets, host ports, addresses on shared networks) is
   * chosen by one stack at a time: the supervisor plans under the allocation lock and
   * claims the plan's choices before it lets go (supervisor/plan-apply.ts).
   */
  allocation: {
    /** Waits for the host-wide allocation lock; hold it briefly. */
    lock(project: string): Promise<{ release(): void }>;
    /** Publishes what `project`'s apply in progress takes; other stacks' observe counts it as taken. */
    claim(project: string, claims: Claims): Promise<void>;
    /** Withdraws the claims once the apply is over (its state records say the rest). */
    unclaim(project: string): Promise<void>;
    /**
     * The subnets a new network of `project` must not take: the host's routes and addresses,
     * other stacks' networks and claims (observe's takenSubnets, without reading the rest).
     */
    takenSubnets(project: string): Promise<string[]>;
  };

  state: {
    saveContainer(project: string, record: ContainerRecord): Promise<void>;
    /** Undefined when absent, or damaged (observe reports it; planner/plan/salvage.ts removes what it described). */
    loadContainer(project: string, name: string): Promise<ContainerRecord | undefined>;
    /**
     * Read-modify-write of one record, serialised with every other write to it, so the
     * exit of a container and the executor's own writes never overwrite each other. Does
     * nothing when the record is absent (the container was removed meanwhile) or damaged.
     */
    updateContainer(project: string, name: string, change: (record: ContainerRecord) => ContainerRecord): Promise<void>;
    removeContainer(project: string, name: string): Promise<void>;
    saveNetwork(net: NetworkSpec): Promise<void>;
    removeNetwork(project: string, key: string): Promise<void>;
    saveNat(spec: NatSpec): Promise<void>;
    removeNat(project: string): Promise<void>;
    /** Removes every trace of the stack's state once nothing else of it exists. */
    forget(project: string): Promise<void>;
  };
}
