// What the supervisor tells the init stage, and what the init stage tells back. The config
// travels as JSON in the one environment variable STACK_INIT (the init stage runs with a
// clean environment: inherited variables such as NODE_EXTRA_CA_CERTS cost ~35 ms of start).
// Both sides import these types; nothing here runs code.

import type { InitMount } from './mounts.js';
import type { ProcessRestrictions } from './restrictions.js';

export const INIT_ENV = 'STACK_INIT';
/** The init stage reads the "go" byte from this fd (supervisor writes). */
export const GO_FD = 3;
/** The init stage reports on this fd (supervisor reads); close-on-exec, so EOF = exec done. */
export const STATUS_FD = 4;

export interface InitConfig {
  /** Container name, for messages only. */
  container: string;
  /** Absolute path of koffi's native `.node` file (loaded directly: `require('koffi')` costs ~6 ms). */
  koffiNative: string;
  /** `cgroup.procs` files to join before anything else, so the container is charged from here on. */
  cgroupProcs: string[];
  /** Layer directories, top first (overlay's lowerdir order). */
  lowerdirs: string[];
  upperdir: string;
  workdir: string;
  /** Where the overlay is mounted, inside the container's mount namespace only. */
  rootfs: string;
  hostname: string;
  /** setdomainname(2) when given. */
  domainname?: string;
  /** Host files bind-mounted onto /etc/<name> in the container. */
  etcFiles: { hosts: string; hostname: string; 'resolv.conf': string };
  /** Volumes, binds, tmpfs, secrets and configs, parents first; mounted after the /etc files. */
  mounts: InitMount[];
  argv: string[];
  env: string[];
  cwd: string;
  /** Wait for the go byte after "ready" (the supervisor wires the network meanwhile); false when there is nothing to wire. */
  waitForRelease: boolean;
  /** Process isolation applied around execve (see init/restrictions.ts). */
  security: InitSecurity;
  /** What it shares instead of owning (`uts`, `cgroup`, `ipc` modes); absent: nothing. */
  shared?: SharedNamespaces;
  /** `devices:` nodes made under the container's /dev (host-devices.ts looked them up). */
  devices?: InitDevice[];
  /** oom_score_adj, written first: every process of the container inherits it. */
  oomScoreAdj?: number;
  /** Rootless, in a user namespace: /dev's nodes are binds of the host's (mknod is refused), overlay uses user.overlay.* xattrs (`userxattr`). */
  inUserNamespace?: boolean;
  /** The container's own cgroup at /sys/fs/cgroup (cgroup-view.ts on the host decides it); absent when a mount of the file covers that place. */
  cgroupView?: CgroupView;
}

/** The init stage's part of `uts: host`, `cgroup: host` and the `ipc` modes (the namespaces themselves come from the spawn). */
export interface SharedNamespaces {
  /** uts: host — the hostname is the host's, never set. */
  hostUts?: boolean;
  /** cgroup: host — no cgroup namespace of its own. */
  hostCgroupns?: boolean;
  /** /dev/shm: a bind of this path (the host's, or another container's as /proc/PID/root/dev/shm) instead of a new tmpfs; false: none (ipc: none). */
  shm?: string | false;
}

/**
 * /sys/fs/cgroup as docker shows it, mounted once the container is in its groups and has
 * its own cgroup namespace, so each mount's root is the container's group.
 */
export interface CgroupView {
  /** v2: one cgroup2 mount. v1: a tmpfs holding one cgroup mount per hierarchy. */
  version: 'v1' | 'v2';
  /** Read-only unless privileged, as docker mounts it. */
  readOnly: boolean;
  /** v1: each hierarchy's directory, named after its controllers as the host names it ("memory", "cpu,cpuacct"), which are also its mount options. */
  hierarchies: string[];
  /** v1: [controller, hierarchy] for controllers co-mounted with others ("cpu" → "cpu,cpuacct"), as symlinks. */
  links: [string, string][];
}

/** A device node of `devices:`, as the host has it. */
export interface InitDevice {
  /** Relative to the container's /dev. */
  path: string;
  /** st_mode: the S_IFCHR or S_IFBLK bits and the permission bits. */
  mode: number;
  major: number;
  minor: number;
  uid: number;
  gid: number;
}

/** The runtime half of ContainerSpec, as the init stage needs it. */
export interface InitSecurity extends Omit<ProcessRestrictions, 'user'> {
  privileged: boolean;
  /** `user:` as written; resolved against the container's /etc/passwd and /etc/group. */
  user: string;
  /** group_add: more supplementary groups, numbers or names of the container's /etc/group. */
  groupAdd?: string[];
  readOnlyRootfs: boolean;
  shmSizeBytes: number;
  /** Namespaced sysctls, written under the container's own /proc/sys. */
  sysctls: Record<string, string>;
  /** Host path of a static tini, bind-mounted read-only at INIT_TARGET and run in front of argv (`init: true`). */
  initBinary?: string;
}

/** Where `init: true` puts tini in the container (docker uses the same path). */
export const INIT_TARGET = '/sbin/docker-init';

/** One line of JSON on the status fd. */
export type InitStatus =
  { event: 'ready'; ms: number } | { event: 'error'; step: string; message: string; code?: string };
