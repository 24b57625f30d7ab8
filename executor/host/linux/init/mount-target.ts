// Mount targets under a rootfs that already holds volumes (native/mount-target.c does the
// same). A volume may be shared with a running container, which can swap a directory in it
// for a symlink at any moment (runc's CVE-2021-30465): a target resolved by path and then
// used by path could have its mkdir, its file creation or its mount land on the host. So
// the path resolved once (inRoot) is walked again by the kernel inside the root (openat2
// RESOLVE_IN_ROOT), one directory at a time, what is missing is made in the directory just
// opened, and the mount goes onto what was opened: a tmpfs through /proc/self/fd/N, a bind
// as a detached clone (open_tree) moved onto the fd and given its flags through its own fd
// (mount_setattr). Node has no *at() calls: `/proc/self/fd/N/NAME` names NAME in the
// directory fd N is open on, whatever its path has become (the host's /proc, still mounted
// in this namespace before pivot_root).

import fs from 'node:fs';
import path from 'node:path';
import { checkCall, InitSysError, loadKoffi } from './sys.js';
import { inRoot } from './in-root.js';

export const O_PATH = 0o10000000;
const O_CLOEXEC = 0o2000000;
const { O_DIRECTORY, O_NOFOLLOW, O_WRONLY, O_CREAT, O_EXCL, O_RDONLY } = fs.constants;
// Syscalls numbered after 424 share one number on every architecture.
const SYS = { openTree: 428, moveMount: 429, openat2: 437, mountSetattr: 442 };
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_IN_ROOT = 0x10;
export const RESOLVE_NO_XDEV = 0x01;
const OPEN_TREE_CLONE = 1;
const AT_EMPTY_PATH = 0x1000;
const AT_RECURSIVE = 0x8000;
const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
const MOVE_MOUNT_T_EMPTY_PATH = 0x40;
export const MOUNT_ATTR = { RDONLY: 0x1, NOSUID: 0x2, NODEV: 0x4 } as const;
const MS_REC = 1 << 14;
const MS_PROPAGATION = (1 << 18) | (1 << 19) | (1 << 20);
const PROC_SUPER_MAGIC = 0x9fa0;
export const SYSFS_MAGIC = 0x62656572;
export const TMPFS_MAGIC = 0x01021994;

/** `/proc/self/fd/N`, or NAME in the directory fd N is open on. */
export const at = (fd: number, name?: string) => `/proc/self/fd/${fd}${name === undefined ? '' : `/${name}`}`;

export type RootTargets = ReturnType<typeof openRootTargets>;

/** The rootfs at `root` (mounted already), opened: targets inside it until close(). */
export function openRootTargets(koffiNative: string, root: string) {
  const koffi = loadKoffi(koffiNative);
  const lib = koffi.load('libc.so.6');
  const c = {
    openat2: lib.func('long syscall(long nr, int dirfd, const char *path, void *how, size_t size)'),
    openTree: lib.func('long syscall(long nr, int dirfd, const char *path, unsigned int flags)'),
    moveMount: lib.func(
      'long syscall(long nr, int fromDirfd, const char *fromPath, int toDirfd, const char *toPath, unsigned int flags)',
    ),
    mountSetattr: lib.func(
      'long syscall(long nr, int dirfd, const char *path, unsigned int flags, void *attr, size_t size)',
    ),
  };
  const check = (call: string, rc: number | bigint, detail: string) => {
    checkCall(koffi, call, rc, detail);
    return Number(rc);
  };

  const rootFd = fs.openSync(root, O_PATH | O_DIRECTORY);

  /** openat2 of `rel` as if the rootfs were `/`, never through a magic link; throws InitSysError. */
  function openInRoot(rel: string, flags: number, resolve = 0): number {
    const how = Buffer.alloc(24); // struct open_how { u64 flags, mode, resolve; }
    how.writeBigUInt64LE(BigInt(flags | O_CLOEXEC), 0);
    how.writeBigUInt64LE(BigInt(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | resolve), 16);
    return check('openat2', c.openat2(SYS.openat2, rootFd, rel, how, how.length), JSON.stringify(rel));
  }

  /** A mount on or inside the container's procfs is refused, as runc refuses it: it would hide or fake what the kernel shows there. */
  function refuseInProc(fd: number, asked: string, rel: string): void {
    if (fs.statfsSync(at(fd)).type === PROC_SUPER_MAGIC)
      throw new Error(`mount target ${asked} resolves to ${rel || '/'}, inside /proc: refused`);
  }

  /** Directory `rel` (resolved already) under the root, made where missing; an O_PATH fd. */
  function targetDir(rel: string, asked: string): number {
    let fd = openInRoot('/', O_PATH | O_DIRECTORY);
    let walked = '';
    for (const part of rel.split('/').filter((p) => p !== '')) {
      walked += `/${part}`;
      let next: number;
      try {
        next = openInRoot(walked, O_PATH | O_DIRECTORY);
      } catch (e) {
        if (!(e instanceof InitSysError && e.code === 'ENOENT')) throw e;
        refuseInProc(fd, asked, rel);
        fs.mkdirSync(at(fd, part), 0o755);
        next = openInRoot(walked, O_PATH | O_DIRECTORY);
      }
      fs.closeSync(fd);
      fd = next;
      refuseInProc(fd, asked, rel);
    }
    return fd;
  }

  /** A regular file `base` in directory `parentRel` (as targetDir): whatever else is there is replaced. */
  function targetFile(parentRel: string, base: string, asked: string): number {
    const dir = targetDir(parentRel, asked);
    try {
      let regular = false;
      try {
        regular = fs.lstatSync(at(dir, base)).isFile();
      } catch {
        /* absent */
      }
      // A symlink or anything else there is replaced (in the upper dir, or the volume it is in).
      if (!regular) removeAt(dir, base);
      return regular
        ? fs.openSync(at(dir, base), O_PATH | O_NOFOLLOW)
        : fs.openSync(at(dir, base), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
    } finally {
      fs.closeSync(dir);
    }
  }

  /** `source` bound recursively onto what fd is open on (then closed), with MOUNT_ATTR `attrs` and MS_* `propagation`. */
  function bindAt(fd: number, source: string, attrs: number, propagation: number, asked: string): void {
    let tree: number | undefined;
    try {
      tree = check(
        'open_tree',
        c.openTree(SYS.openTree, -100 /* AT_FDCWD */, source, OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE),
        JSON.stringify(source),
      );
      check(
        'move_mount',
        c.moveMount(SYS.moveMount, tree, '', fd, '', MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH),
        JSON.stringify(asked),
      );
      // Flags of the new mount itself (a bind takes the source's), then its propagation.
      const setattr = (flags: number, field: number, value: number) => {
        const attr = Buffer.alloc(32); // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
        attr.writeBigUInt64LE(BigInt(value), field);
        check(
          'mount_setattr',
          c.mountSetattr(SYS.mountSetattr, tree!, '', AT_EMPTY_PATH | flags, attr, attr.length),
          JSON.stringify(asked),
        );
      };
      if (attrs) setattr(0, 0, attrs);
      const mode = propagation & MS_PROPAGATION;
      if (mode) setattr(propagation & MS_REC ? AT_RECURSIVE : 0, 16, mode);
    } finally {
      if (tree !== undefined) fs.closeSync(tree);
      fs.closeSync(fd);
    }
  }

  return {
    openInRoot,
    bindAt,
    /** A directory target: resolved as if the rootfs were `/`, then opened inside it. */
    dir: (target: string) => targetDir(inRoot(root, target).slice(root.length), target),
    /** A file target: its directory resolved as if the rootfs were `/`; a link at the name itself is replaced. */
    file: (target: string) =>
      targetFile(inRoot(root, path.dirname(target)).slice(root.length), path.basename(target), target),
    close: () => fs.closeSync(rootFd),
  };
}

/** Removes `name` in the directory `dir` is open on, a whole tree included, never following a link. */
function removeAt(dir: number, name: string): void {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(at(dir, name));
  } catch {
    return;
  }
  if (!st.isDirectory()) return fs.unlinkSync(at(dir, name));
  const sub = fs.openSync(at(dir, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  try {
    for (const child of fs.readdirSync(at(sub))) removeAt(sub, child);
  } finally {
    fs.closeSync(sub);
  }
  fs.rmdirSync(at(dir, name));
}
