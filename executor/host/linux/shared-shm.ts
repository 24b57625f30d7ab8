// /dev/shm of a container whose ipc namespace others may join (`ipc: shareable`, which the
// planner also sets on every service named by another's `ipc: service:X`). A container's own
// /dev/shm is a tmpfs its init stage mounts inside its mount namespace, where no other
// container can bind it from (the kernel refuses a bind of another namespace's mount). So,
// as docker does, a shareable one is a tmpfs on the host, in the container's private folder,
// that its init stage and every joiner's bind at /dev/shm; it goes with the container.

import fs from 'node:fs';
import path from 'node:path';
import type { ContainerSpec } from '../../../model/plan.js';
import { paths } from '../../../store/paths.js';
import { mount, umount2 } from './libc.js';
import { SyscallError } from './syscall-error.js';

const MS_NOSUID = 0x2;
const MS_NODEV = 0x4;
const MS_NOEXEC = 0x8;
const MNT_DETACH = 0x2;

/** Where the shareable /dev/shm of container `name` is on the host. */
export function sharedShmDir(project: string, name: string): string {
  return path.join(paths.containerDir(project, name), 'shm');
}

/** Whether `dir` is a mount point (its device differs from its parent's). */
export function isMountPoint(dir: string): boolean {
  try {
    return fs.statSync(dir).dev !== fs.statSync(path.dirname(dir)).dev;
  } catch {
    return false;
  }
}

/** Mounts the shareable /dev/shm of `spec` when it has one; a restart finds it mounted. */
export function prepareSharedShm(spec: ContainerSpec): void {
  if (spec.namespaces?.ipc !== 'shareable') return;
  const dir = sharedShmDir(spec.project, spec.name);
  fs.mkdirSync(dir, { recursive: true });
  if (isMountPoint(dir)) return;
  mount('shm', dir, 'tmpfs', MS_NOSUID | MS_NODEV | MS_NOEXEC, `mode=1777,size=${spec.shmSizeBytes}`);
}

/** Unmounts it (detached: a joiner still running keeps its view); nothing when there is none. */
export function removeSharedShm(project: string, name: string): void {
  const dir = sharedShmDir(project, name);
  while (isMountPoint(dir)) {
    try {
      umount2(dir, MNT_DETACH);
    } catch (err) {
      if (err instanceof SyscallError && (err.code === 'EINVAL' || err.code === 'ENOENT')) return;
      throw err;
    }
  }
}
