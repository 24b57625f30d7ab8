// Paths inside a running container's filesystem, opened from the host without ever leaving
// it: the container controls every name and symlink in there, so a path is resolved by the
// kernel inside the container's root (openat2 RESOLVE_IN_ROOT on /proc/PID/root, as runc's
// securejoin means to), and everything below an opened folder goes one name at a time,
// never following a symlink (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, or O_NOFOLLOW on a
// single name under /proc/self/fd/N). A symlink to `/` in the container then means the
// container's `/`, and a folder swapped for a symlink mid-copy is refused, not followed.

import fs from 'node:fs';
import { isSameProcess } from '../../../store/proc-stat.js';
import { openat2, RESOLVE } from './libc.js';

export const O_PATH = 0o10000000;
const { O_CLOEXEC, O_DIRECTORY, O_NOFOLLOW } = fs.constants as typeof fs.constants & { O_CLOEXEC: number };
const CLOEXEC = O_CLOEXEC ?? 0o2000000;

/** A name the kernel looks up as one entry of a folder: no `/`, not `.` or `..`. */
export function checkName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0'))
    throw new Error(`not a single file name: ${JSON.stringify(name)}`);
  return name;
}

/** `/proc/self/fd/N[/name]`: the object `fd` holds, and one entry below it, for the path-only calls (mkdir, symlink …). */
export const fdPath = (fd: number, name?: string) =>
  `/proc/self/fd/${fd}${name === undefined ? '' : `/${checkName(name)}`}`;

/** A container's PID 1, with the start time that tells it from a later process of that pid. */
export interface ContainerProcess {
  pid: number;
  startTime: number | undefined;
}

/** The container's root as its PID 1 sees it (its mount namespace: volumes and tmpfs included). */
export class ContainerRoot {
  private constructor(readonly fd: number) {}

  /**
   * `startTime` (the record's) is checked once the root is held: the container may have ended
   * since its record was read and its pid be another process's, whose root is the host's.
   */
  static open(pid: number, startTime: number | undefined): ContainerRoot {
    const fd = fs.openSync(`/proc/${pid}/root`, O_PATH | O_DIRECTORY | CLOEXEC);
    if (!isSameProcess(pid, startTime)) {
      fs.closeSync(fd);
      throw new Error(`process ${pid} is no longer the container's: it stopped`);
    }
    return new ContainerRoot(fd);
  }

  /** `path` (absolute in the container) resolved inside its root; `nofollow` keeps a final symlink itself. */
  open(path: string, flags: number, mode = 0, nofollow = false): number {
    return openat2(
      this.fd,
      path,
      flags | CLOEXEC | (nofollow ? O_NOFOLLOW : 0),
      mode,
      RESOLVE.IN_ROOT | RESOLVE.NO_MAGICLINKS,
    );
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** One entry of the folder `dirFd`, never through a symlink (a symlink entry itself opens with O_PATH). */
export const openBelow = (dirFd: number, name: string, flags: number, mode = 0): number =>
  openBeneath(dirFd, checkName(name), flags, mode);

/** `rel` (a relative path) below the folder `dirFd`, without following a symlink anywhere on the way or at its end. */
export function openBeneath(dirFd: number, rel: string, flags: number, mode = 0): number {
  return openat2(
    dirFd,
    rel,
    flags | CLOEXEC | O_NOFOLLOW,
    mode,
    RESOLVE.BENEATH | RESOLVE.NO_SYMLINKS | RESOLVE.NO_MAGICLINKS,
  );
}

export const O_DIR_PATH = O_PATH | O_DIRECTORY;

/** `rel` (a `/`-separated path in the container) opened under `rootFd` as if it were `/`. */
export const openInRoot = (rootFd: number, rel: string, flags: number): number =>
  openat2(rootFd, rel === '' ? '.' : rel, flags | CLOEXEC, 0, RESOLVE.IN_ROOT | RESOLVE.NO_MAGICLINKS);

/** A folder in the container, for one-name work below it (O_PATH: no read needed). */
export const openDirInRoot = (rootFd: number, rel: string): number => openInRoot(rootFd, rel, O_DIR_PATH);

/** Opens `name` in `dirFd` as a folder to read, refusing a symlink there. */
export const openChildDir = (dirFd: number, name: string): number =>
  fs.openSync(fdPath(dirFd, name), fs.constants.O_RDONLY | O_DIRECTORY | O_NOFOLLOW | CLOEXEC);

/**
 * Removes `name` from the folder `dirFd`, a folder with all it holds. Each level is opened
 * with O_NOFOLLOW and walked through its fd: a link put in place meanwhile is unlinked,
 * never followed.
 */
export function removeUnder(dirFd: number, name: string): void {
  const st = fs.lstatSync(fdPath(dirFd, name), { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory()) return fs.unlinkSync(fdPath(dirFd, name));
  let child: number;
  try {
    child = openChildDir(dirFd, name);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') return fs.unlinkSync(fdPath(dirFd, name)); // swapped for a link since the lstat
    throw err;
  }
  try {
    for (const entry of fs.readdirSync(`/proc/self/fd/${child}`)) removeUnder(child, entry);
  } finally {
    fs.closeSync(child);
  }
  fs.rmdirSync(fdPath(dirFd, name));
}

/**
 * The contents of `held` (an O_PATH fd) when it is a regular file of at most `maxBytes`;
 * undefined for anything else. Checked before it is opened: a device node a container made
 * would be the host's device to us (opening some has effects: a watchdog arms), a FIFO
 * would block.
 */
export function readHeldFile(held: number, maxBytes = Number.MAX_SAFE_INTEGER): Buffer | undefined {
  const st = fs.fstatSync(held);
  if (!st.isFile() || st.size > maxBytes) return undefined;
  const fd = fs.openSync(fdPath(held), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | CLOEXEC);
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
