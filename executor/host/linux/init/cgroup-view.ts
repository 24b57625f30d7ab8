// /sys/fs/cgroup in the container: its own cgroup, read-only unless privileged, as docker
// mounts it (cgroup-view.ts on the host decides what; native/cgroup-view.c does the same).
// Mounted after pivot_root, once the container is in its groups and has its own cgroup
// namespace, so each mount's root is the container's group. Nothing of the host is
// reachable from the new root any more; the target is still opened inside it and checked
// to be the container's sysfs (then the tmpfs just put there), and mounts go onto the fd.

import fs from 'node:fs';
import type { CgroupView } from './config.js';
import { MS, type Sys } from './sys.js';
import { at, openRootTargets, O_PATH, SYSFS_MAGIC, TMPFS_MAGIC } from './mount-target.js';

const TARGET = '/sys/fs/cgroup';
const { O_DIRECTORY, O_NOFOLLOW } = fs.constants;

export function mountCgroupView(sys: Sys, koffiNative: string, view: CgroupView): void {
  const targets = openRootTargets(koffiNative, '/');
  /** /sys/fs/cgroup opened inside the root, on a filesystem of type `magic`. */
  const open = (magic: number, what: string) => {
    const fd = targets.openInRoot(TARGET, O_PATH | O_DIRECTORY);
    if (fs.statfsSync(at(fd)).type !== magic) {
      fs.closeSync(fd);
      throw new Error(`${TARGET} is not ${what}`);
    }
    return fd;
  };
  const flags = MS.NOSUID | MS.NODEV | MS.NOEXEC | (view.readOnly ? MS.RDONLY : 0);
  try {
    const sysfs = open(SYSFS_MAGIC, "on the container's sysfs");
    try {
      if (view.version === 'v2') return sys.mount('cgroup2', at(sysfs), 'cgroup2', flags);
      sys.mount('tmpfs', at(sysfs), 'tmpfs', MS.NOSUID | MS.NODEV | MS.NOEXEC, 'mode=755');
    } finally {
      fs.closeSync(sysfs);
    }
    const dir = open(TMPFS_MAGIC, 'the tmpfs just mounted there');
    try {
      for (const hierarchy of view.hierarchies) {
        fs.mkdirSync(at(dir, hierarchy), 0o755);
        const sub = fs.openSync(at(dir, hierarchy), O_PATH | O_DIRECTORY | O_NOFOLLOW);
        try {
          sys.mount('cgroup', at(sub), 'cgroup', flags, hierarchy);
        } finally {
          fs.closeSync(sub);
        }
      }
      for (const [controller, hierarchy] of view.links) fs.symlinkSync(hierarchy, at(dir, controller));
      if (view.readOnly) sys.mount(null, at(dir), null, MS.BIND | MS.REMOUNT | flags);
    } finally {
      fs.closeSync(dir);
    }
  } finally {
    targets.close();
  }
}
