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
import { InitSysError } from './sys.js';
import type { InitMount } from './mounts.js';
import { at, RESOLVE_NO_XDEV, type RootTargets } from './mount-target.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = fs.constants;

/** The image's directory at `target`; undefined when the image has none there. */
function openImageDir(targets: RootTargets, target: string): number | undefined {
  try {
    return targets.openInRoot(target, O_RDONLY | O_DIRECTORY, RESOLVE_NO_XDEV);
  } catch (e) {
    if (e instanceof InitSysError && (e.code === 'ENOENT' || e.code === 'ENOTDIR')) return undefined;
    throw e;
  }
}

/** Runs `fn` with `fd`, then closes it. */
function using<T>(fd: number, fn: (fd: number) => T): T {
  try {
    return fn(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function copyUpVolumes(targets: RootTargets, mounts: InitMount[]): void {
  for (const m of mounts.filter((x) => x.kind === 'bind' && x.copyUp && fs.statSync(x.source).isDirectory())) {
    // The volume's own folder is the supervisor's (or the user's `device`); only its content is not.
    using(fs.openSync(m.source, O_RDONLY | O_DIRECTORY), (to) => {
      if (fs.readdirSync(at(to)).length > 0) return;
      const from = openImageDir(targets, m.target);
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
