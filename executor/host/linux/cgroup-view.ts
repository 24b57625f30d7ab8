// What a container sees at /sys/fs/cgroup: its own cgroup, read-only, as docker mounts it
// (the JVM, Node and Go runtimes read their memory and CPU limits there). On v2 that is one
// cgroup2 mount; on v1 a tmpfs holding one cgroup mount per hierarchy that stack puts
// containers in, as runc does (the others would show the supervisor's groups). The init
// stages mount it after joining the groups and unsharing the cgroup namespace, so every
// mount's root is the container's own group. A mount of the file at /sys/fs/cgroup, or
// at a folder above or below it, takes its place, as a user's mount does with docker.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CgroupView } from './init/config.js';
import type { InitMount } from './init/mounts.js';
import { cgroupVersion, V1_CONTROLLERS } from './cgroups.js';
import type { CgroupVersion } from './cgroup-limits.js';

export const CGROUP_VIEW_TARGET = '/sys/fs/cgroup';

/** Controller names the kernel knows: the first column of /proc/cgroups. */
export function knownControllers(procCgroups: string): Set<string> {
  return new Set(
    procCgroups
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(/\s+/)[0]!),
  );
}

/**
 * The v1 hierarchies that hold any of `controllers`, from /proc/self/mountinfo: each as the
 * controllers mounted together in it, in the kernel's order (`cpu,cpuacct`), once.
 */
export function v1Hierarchies(mountinfo: string, known: Set<string>, controllers: readonly string[]): string[][] {
  const found: string[][] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , superOptions = ''] = line.slice(sep + 3).split(' ');
    if (fstype !== 'cgroup') continue;
    const held = superOptions.split(',').filter((o) => known.has(o));
    if (held.some((c) => controllers.includes(c)) && !found.some((h) => h.join() === held.join())) found.push(held);
  }
  return found;
}

/** True when a mount at `target` covers /sys/fs/cgroup or lies inside it. */
function covers(target: string): boolean {
  const t = path.posix.normalize(target).replace(/(.)\/+$/, '$1');
  return t === CGROUP_VIEW_TARGET || CGROUP_VIEW_TARGET.startsWith(`${t}/`) || t.startsWith(`${CGROUP_VIEW_TARGET}/`);
}

/** The view of a container with `mounts` (undefined: one of them takes the place). */
export function cgroupView(
  version: CgroupVersion,
  hierarchies: string[][],
  mounts: Pick<InitMount, 'target'>[],
  privileged: boolean,
): CgroupView | undefined {
  if (mounts.some((m) => covers(m.target))) return undefined;
  if (version === 'v2') return { version: 'v2', readOnly: !privileged, hierarchies: [], links: [] };
  const dirs = hierarchies.map((h) => h.join(','));
  const links = hierarchies
    .filter((h) => h.length > 1)
    .flatMap((h) => h.map((c): [string, string] => [c, h.join(',')]));
  return { version: 'v1', readOnly: !privileged, hierarchies: dirs, links };
}

let hostHierarchies: string[][] | undefined;

/** The view for a container on this host (its v1 hierarchies read once per process). */
export function containerCgroupView(mounts: InitMount[], privileged: boolean): CgroupView | undefined {
  const version = cgroupVersion();
  if (version === 'v1') {
    hostHierarchies ??= v1Hierarchies(
      readFileSync('/proc/self/mountinfo', 'utf8'),
      knownControllers(readFileSync('/proc/cgroups', 'utf8')),
      V1_CONTROLLERS,
    );
  }
  return cgroupView(version, hostHierarchies ?? [], mounts, privileged);
}
