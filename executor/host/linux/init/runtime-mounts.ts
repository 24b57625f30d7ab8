// The mounts that come from the service's runtime options rather than its volumes: tini
// for `init: true`, and for privileged containers the host's device nodes (tmpfs mounts
// are in init/mounts.ts, in one ordered pass with the volumes).
// All of them happen before pivot_root, under the new root.

import fs from 'node:fs';
import path from 'node:path';
import { INIT_TARGET, type InitDevice } from './config.js';
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
/** The glibc dev_t of MAJOR:MINOR (makedev(3)), as fs.Stats.rdev holds it. */
const makedev = (major: number, minor: number) =>
  Number(
    (BigInt(major & 0xfff) << 8n) |
      (BigInt(major & ~0xfff) << 32n) |
      BigInt(minor & 0xff) |
      (BigInt(minor & ~0xff) << 12n),
  );

/** `devices:`: each node as the host has it (mode and owner), in place of one already there. */
export function makeDevices(sys: Sys, dev: string, devices: InitDevice[]): void {
  for (const d of devices) {
    const target = path.join(dev, d.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.rmSync(target, { force: true });
    sys.mknodDev(target, d.mode, makedev(d.major, d.minor));
    fs.chmodSync(target, d.mode & 0o7777); // mknod's mode passes through the umask
    fs.chownSync(target, d.uid, d.gid);
  }
}

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
