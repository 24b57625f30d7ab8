// Copy-up (native/copy-up.c does the same): a new, empty volume gets the image's content at
// its target, as docker does. It runs right after the overlay is mounted, before /proc,
// /sys, /dev or any other mount exists under the rootfs, so the source is the image's
// alone (after them, `data -> /sys/firmware` copied the host's ACPI tables into a volume).
// The kernel resolves the target inside the rootfs (openat2 RESOLVE_IN_ROOT, crossing no
// mount), and both trees are walked by file descriptor without following any link: neither
// a link in the image nor one that another container puts into a shared volume meanwhile
// can lead the copy out. Node has no *at() calls: `/proc/self/fd/N/NAME` names NAME in the
// directory fd N is open on, whatever its path has become (the host's /proc, still
// mounted in this namespace).

import fs from 'node:fs';
import { checkCall, InitSysError, loadKoffi } from './sys.js';
import type { InitMount } from './mounts.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = fs.constants;
const O_CLOEXEC = 0o2000000; // Node's own opens set it; openat2 is told

const SYS_OPENAT2 = 437; // one number on every architecture
const RESOLVE_NO_XDEV = 0x01;
const RESOLVE_NO_MAGICLINKS = 0x02;
const RESOLVE_IN_ROOT = 0x10;

/** Opens directory `target` of the tree `rootFd` is open on, as if it were `/`; undefined when the image has no directory there. */
export type OpenInRoot = (rootFd: number, target: string) => number | undefined;

export function loadOpenInRoot(koffiNative: string): OpenInRoot {
  const koffi = loadKoffi(koffiNative);
  const openat2 = koffi.load('libc.so.6').func('long syscall(long nr, int dirfd, const char *path, void *how, size_t size)');
  return (rootFd, target) => {
    const how = Buffer.alloc(24); // struct open_how { u64 flags, mode, resolve; }
    how.writeBigUInt64LE(BigInt(O_RDONLY | O_DIRECTORY | O_CLOEXEC), 0);
    how.writeBigUInt64LE(BigInt(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV), 16);
    const fd = Number(openat2(SYS_OPENAT2, rootFd, target, how, how.length));
    try {
      checkCall(koffi, 'openat2', fd, JSON.stringify(target));
    } catch (e) {
      if (e instanceof InitSysError && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return undefined;
      throw e;
    }
    return fd;
  };
}

const at = (fd: number, name?: string) => `/proc/self/fd/${fd}${name === undefined ? '' : `/${name}`}`;

/** Runs `fn` with `fd`, then closes it. */
function using<T>(fd: number, fn: (fd: number) => T): T {
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function copyUpVolumes(openInRoot: OpenInRoot, root: string, mounts: InitMount[]): void {
  const wanted = mounts.filter((m) => m.kind === 'bind' && m.copyUp && fs.statSync(m.source).isDirectory());
  if (wanted.length === 0) return;
  using(fs.openSync(root, O_RDONLY | O_DIRECTORY), (rootFd) => {
    for (const m of wanted) {
      // The volume's own folder is the supervisor's (or the user's `device`); only its content is not.
      using(fs.openSync(m.source, O_RDONLY | O_DIRECTORY), (to) => {
        if (fs.readdirSync(at(to)).length > 0) return;
        const from = openInRoot(rootFd, m.target);
        // Nothing at the target in the image, or not a directory: nothing to copy, as with docker.
        if (from === undefined) return;
        using(from, () => {
          const st = fs.fstatSync(from);
          copyEntries(from, to);
          fs.fchownSync(to, st.uid, st.gid);
          fs.fchmodSync(to, st.mode & 0o7777);
        });
      });
    }
  });
}

/** Directories, regular files and symlinks of `from` into `to`; devices, fifos and sockets are not data. */
function copyEntries(from: number, to: number): void {
  for (const name of fs.readdirSync(at(from))) {
    const st = fs.lstatSync(at(from, name));
    if (st.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(at(from, name)), at(to, name));
      fs.lchownSync(at(to, name), st.uid, st.gid);
      continue;
    }
    if (!st.isDirectory() && !st.isFile()) continue;
    const dir = st.isDirectory();
    using(fs.openSync(at(from, name), O_RDONLY | O_NOFOLLOW | (dir ? O_DIRECTORY : 0)), (input) => {
      if (dir) fs.mkdirSync(at(to, name), 0o700);
      const flags = dir ? O_RDONLY | O_DIRECTORY | O_NOFOLLOW : O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW;
      using(fs.openSync(at(to, name), flags, 0o600), (out) => {
        if (dir) copyEntries(input, out);
        else copyFile(input, out);
        // Owner, then mode (a chown clears setuid), then times.
        fs.fchownSync(out, st.uid, st.gid);
        fs.fchmodSync(out, st.mode & 0o7777);
        fs.futimesSync(out, st.atime, st.mtime);
      });
    });
  }
}

function copyFile(input: number, out: number): void {
  const buf = Buffer.allocUnsafe(65536);
  for (let n; (n = fs.readSync(input, buf, 0, buf.length, null)) > 0;) {
    for (let done = 0; done < n;) done += fs.writeSync(out, buf, done, n - done);
  }
}
