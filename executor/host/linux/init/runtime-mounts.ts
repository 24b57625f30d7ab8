// The mounts that come from the service's runtime options rather than its volumes: tini
// for `init: true`, and for privileged containers the host's device nodes (tmpfs mounts
// are in init/mounts.ts, in one ordered pass with the volumes).
// All of them happen before pivot_root, under the new root.

import fs from 'node:fs';
import path from 'node:path';
import { INIT_TARGET } from './config.js';
import type { Sys } from './sys.js';
import { MOUNT_ATTR, type RootTargets } from './mount-target.js';

/** tini from the host, read-only at /sbin/docker-init (after the volumes: its target is opened inside the rootfs). */
export function mountInitBinary(targets: RootTargets, hostPath: string): void {
  targets.bindAt(
    targets.file(INIT_TARGET),
    hostPath,
    MOUNT_ATTR.RDONLY | MOUNT_ATTR.NOSUID | MOUNT_ATTR.NODEV,
    0,
    INIT_TARGET,
  );
}

/** Subfolders of /dev that hold device nodes worth passing on (others are mounts or links). */
const DEVICE_DIRS = ['', 'net', 'dri', 'snd', 'input', 'mapper', 'vfio'];

/** privileged: every character and block device of the host, like docker. */
export function copyHostDevices(sys: Sys, dev: string): void {
  for (const sub of DEVICE_DIRS) {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join('/dev', sub), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isCharacterDevice() && !e.isBlockDevice()) continue;
      const target = path.join(dev, sub, e.name);
      if (fs.existsSync(target)) continue;
      const st = fs.statSync(path.join('/dev', sub, e.name));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      sys.mknodDev(target, st.mode, st.rdev);
      fs.chmodSync(target, st.mode & 0o7777);
      fs.chownSync(target, st.uid, st.gid);
    }
  }
}
