// `stack cp`: files between a running container and the host, through the container's
// mount namespace (/proc/PID/root), with docker cp's rules for where things land. Every
// path on the container's side is opened by in-root.ts, so nothing the container made (a
// symlink to /etc, a folder swapped for one mid-copy) leads outside it. Modes and times are
// kept; owners too with `archive`, else what docker gives: the caller's on the host, root's
// in the container. Device nodes, FIFOs and sockets are left out.

import fs from 'node:fs';
import path from 'node:path';
import type { ContainerProcess } from './in-root.js';
import { CopyError, type CopyOptions } from '../../host.js';
import { checkName, ContainerRoot, fdPath, O_DIR_PATH, O_PATH, openBelow, removeUnder } from './in-root.js';
import { SyscallError } from './syscall-error.js';

const { O_RDONLY, O_WRONLY, O_CREAT, O_TRUNC, O_EXCL, O_DIRECTORY } = fs.constants;

const kind = (st: fs.Stats) =>
  st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'link' : 'other';
const errno = (err: unknown) => (err instanceof SyscallError ? err.code : (err as NodeJS.ErrnoException).code);

function withFd<T>(fd: number, use: (fd: number) => T): T {
  try {
    return use(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Bytes from one open file to another. */
function pump(from: number, to: number): void {
  const buf = Buffer.allocUnsafe(1 << 20);
  for (let n; (n = fs.readSync(from, buf, 0, buf.length, null)) > 0;) {
    for (let off = 0; off < n;) off += fs.writeSync(to, buf, off, n - off);
  }
}

/** `SRC/.` copies the folder's content, as docker cp: the name and the rest. */
function splitSource(p: string): { path: string; contents: boolean } {
  return { path: path.posix.normalize(p), contents: /(^|\/)\.$/.test(p) };
}

// ---------------------------------------------------------------- container -> host

/** Copies `src` (in the container) to `dest` on the host. */
export function copyFromContainer(proc: ContainerProcess, src: string, dest: string, opts: CopyOptions): void {
  const root = ContainerRoot.open(proc.pid, proc.startTime);
  try {
    const source = splitSource(src);
    const name = path.posix.basename(source.path);
    // The entry itself, resolved inside the root (its final symlink followed only with -L).
    const fd = root.open(source.path, O_PATH, 0, !opts.followLink);
    withFd(fd, (fd) => {
      const st = fs.fstatSync(fd);
      const destStat = fs.statSync(dest, { throwIfNoEntry: false });
      if (destStat && !destStat.isDirectory() && st.isDirectory())
        throw new CopyError(`cannot copy a directory to a file: ${dest}`);
      if (!destStat && dest.endsWith('/') && !st.isDirectory())
        throw new CopyError(`destination directory ${dest} does not exist`);
      // The path the user named is resolved once, here; everything below it goes by fds.
      if (destStat?.isDirectory() && source.contents && st.isDirectory())
        return withFd(fs.openSync(dest, O_RDONLY | O_DIRECTORY), (into) => writeHostDir(fd, st, into, opts));
      const [parent, target] = destStat?.isDirectory()
        ? [dest, name === '/' || name === '' ? 'rootfs' : name]
        : [path.dirname(path.resolve(dest)), path.basename(path.resolve(dest))];
      withFd(fs.openSync(parent, O_DIR_PATH), (dir) => {
        if (st.isSymbolicLink()) {
          // Its target as the container wrote it; read through its folder, one name below it.
          const from = root.open(path.posix.dirname(source.path), O_DIR_PATH);
          const link = withFd(from, (p) => fs.readlinkSync(fdPath(p, checkName(name))));
          writeHostNode(fd, st, dir, target, opts, false, link);
        } else writeHostNode(fd, st, dir, target, opts, false);
      });
    });
  } finally {
    root.close();
  }
}

/**
 * One entry (held by `fd`, an O_PATH fd) as `name` in the host folder `parent` and, for a
 * folder, everything below it. The host side is walked by fds as the container side is: the
 * destination may be a folder a container (through a bind mount) or a local user changes
 * while root copies, so every write, mode, owner and time goes to an object opened one name
 * at a time, never through a link swapped in. Below the target the user named, what stands at
 * a name the container chose is replaced, never followed: a symlink an earlier copy brought
 * out must not lead a later one to /etc. The target itself (`nested` false) is the user's: a
 * link there is followed, as docker cp does.
 */
function writeHostNode(
  fd: number,
  st: fs.Stats,
  parent: number,
  name: string,
  opts: CopyOptions,
  nested: boolean,
  linkTarget?: string,
): void {
  const at = fdPath(parent, name);
  const there = nested ? fs.lstatSync(at, { throwIfNoEntry: false }) : fs.statSync(at, { throwIfNoEntry: false });
  if (nested && there && !(there.isDirectory() && st.isDirectory())) removeUnder(parent, name);
  switch (kind(st)) {
    case 'dir': {
      if (!there?.isDirectory()) fs.mkdirSync(at, 0o700);
      const dir = nested ? openBelow(parent, name, O_RDONLY | O_DIRECTORY) : fs.openSync(at, O_RDONLY | O_DIRECTORY);
      withFd(dir, (into) => writeHostDir(fd, st, into, opts));
      return;
    }
    case 'file': {
      const to = nested
        ? openBelow(parent, name, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        : fs.openSync(at, O_WRONLY | O_CREAT | O_TRUNC, 0o600);
      withFd(to, (to) => {
        withFd(fs.openSync(fdPath(fd), O_RDONLY), (from) => pump(from, to));
        keepMetadata(to, st, opts);
      });
      return;
    }
    case 'link':
      if (!nested) fs.rmSync(at, { force: true });
      fs.symlinkSync(linkTarget!, at); // symlink(2) and lchown(2) never follow the final name
      if (opts.archive) fs.lchownSync(at, st.uid, st.gid);
      return;
    default:
      return; // devices, FIFOs, sockets: not copied
  }
}

/** The entries of the container's folder `fd` into the host folder `into` (an fd), then its metadata. */
function writeHostDir(fd: number, st: fs.Stats, into: number, opts: CopyOptions): void {
  for (const entry of fs.readdirSync(fdPath(fd))) {
    const child = openBelow(fd, entry, O_PATH);
    withFd(child, (c) => {
      const cst = fs.fstatSync(c);
      const link = cst.isSymbolicLink() ? fs.readlinkSync(fdPath(fd, entry)) : undefined;
      writeHostNode(c, cst, into, entry, opts, true, link);
    });
  }
  keepMetadata(into, st, opts);
}

/** Owner (with -a), mode and times of the container's entry, on the host object `fd` holds. */
function keepMetadata(fd: number, st: fs.Stats, opts: CopyOptions): void {
  if (opts.archive) fs.fchownSync(fd, st.uid, st.gid);
  // After the chown, which clears setuid bits. Without -a the file is root's (cp runs as
  // root): a setuid or setgid bit the container chose would make it a root-setuid program
  // any local user could run, so those bits go.
  fs.fchmodSync(fd, st.mode & (opts.archive ? 0o7777 : 0o1777));
  fs.futimesSync(fd, st.atime, st.mtime);
}

// ---------------------------------------------------------------- host -> container

/** Copies `src` on the host to `dest` in the container. */
export function copyToContainer(proc: ContainerProcess, src: string, dest: string, opts: CopyOptions): void {
  const source = splitSource(src);
  const st = opts.followLink ? fs.statSync(source.path) : fs.lstatSync(source.path);
  const root = ContainerRoot.open(proc.pid, proc.startTime);
  try {
    const destPath = path.posix.normalize(dest.startsWith('/') ? dest : `/${dest}`);
    let existing: fs.Stats | undefined;
    try {
      existing = withFd(root.open(destPath, O_PATH), (fd) => fs.fstatSync(fd));
    } catch (err) {
      if (errno(err) !== 'ENOENT') throw err;
    }
    if (existing?.isDirectory()) {
      // Into the folder (through its symlinks, inside the root): under the source's name, or its content with `SRC/.`.
      withFd(root.open(destPath, O_DIR_PATH), (dir) => {
        if (source.contents && st.isDirectory()) writeContents(dir, source.path, opts);
        else writeContainerNode(dir, path.basename(source.path), source.path, st, opts);
      });
      return;
    }
    if (existing && st.isDirectory()) throw new CopyError(`cannot copy a directory to a file: ${dest}`);
    if (!existing && dest.endsWith('/')) throw new CopyError(`destination directory ${dest} does not exist`);
    if (existing) {
      // A file (or a symlink to one, followed inside the root) is written over in place, as
      // docker's; only a regular file, held first and opened again through that hold: a
      // device node the container made would reach the host's device from here (no device
      // cgroup), and a FIFO would block.
      withFd(root.open(destPath, O_PATH), (held) => {
        if (!fs.fstatSync(held).isFile()) throw new CopyError(`${dest} in the container is not a regular file`);
        withFd(fs.openSync(fdPath(held), O_WRONLY | O_TRUNC), (to) => writeFile(to, source.path, st, opts));
      });
      return;
    }
    let parent: number;
    try {
      parent = root.open(path.posix.dirname(destPath), O_DIR_PATH);
    } catch (err) {
      if (errno(err) === 'ENOENT' || errno(err) === 'ENOTDIR')
        throw new CopyError(`destination directory ${path.posix.dirname(dest)} does not exist`);
      throw err;
    }
    withFd(parent, (dir) => writeContainerNode(dir, path.posix.basename(destPath), source.path, st, opts));
  } finally {
    root.close();
  }
}

function writeContents(dir: number, hostDir: string, opts: CopyOptions): void {
  for (const entry of fs.readdirSync(hostDir)) {
    const from = path.join(hostDir, entry);
    writeContainerNode(dir, entry, from, fs.lstatSync(from), opts);
  }
}

/** Makes `name` in the container's folder `dir` from the host's `from`. */
function writeContainerNode(dir: number, name: string, from: string, st: fs.Stats, opts: CopyOptions): void {
  checkName(name);
  const [uid, gid] = opts.archive ? [st.uid, st.gid] : [0, 0];
  switch (kind(st)) {
    case 'dir': {
      let sub: number;
      try {
        sub = openBelow(dir, name, O_DIR_PATH);
      } catch (err) {
        if (errno(err) === 'ENOENT') fs.mkdirSync(fdPath(dir, name), 0o700);
        else if (errno(err) === 'ENOTDIR' || errno(err) === 'ELOOP')
          throw new CopyError(`cannot overwrite non-directory ${name} with a directory`);
        else throw err;
        sub = openBelow(dir, name, O_DIR_PATH);
      }
      withFd(sub, (d) => {
        writeContents(d, from, opts);
        fs.chownSync(fdPath(d), uid, gid);
        fs.chmodSync(fdPath(d), st.mode & 0o7777);
        fs.utimesSync(fdPath(d), st.atime, st.mtime);
      });
      return;
    }
    case 'file': {
      replaceNonDir(dir, name);
      withFd(openBelow(dir, name, O_WRONLY | O_CREAT | O_EXCL, 0o600), (to) => writeFile(to, from, st, opts));
      return;
    }
    case 'link':
      replaceNonDir(dir, name);
      fs.symlinkSync(fs.readlinkSync(from), fdPath(dir, name));
      fs.lchownSync(fdPath(dir, name), uid, gid);
      return;
    default:
      return; // devices, FIFOs, sockets: not copied
  }
}

/** Removes what stands at `name` unless it is a folder (a folder is never replaced by a file: docker refuses it too). */
function replaceNonDir(dir: number, name: string): void {
  try {
    fs.unlinkSync(fdPath(dir, name)); // unlink(2) never follows the final name
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR' || code === 'EPERM')
      throw new CopyError(`cannot overwrite directory ${name} with a non-directory`);
    if (code !== 'ENOENT') throw err;
  }
}

function writeFile(to: number, from: string, st: fs.Stats, opts: CopyOptions): void {
  withFd(fs.openSync(from, O_RDONLY | (opts.followLink ? 0 : fs.constants.O_NOFOLLOW)), (fd) => pump(fd, to));
  if (opts.archive) fs.fchownSync(to, st.uid, st.gid);
  else fs.fchownSync(to, 0, 0);
  fs.fchmodSync(to, st.mode & 0o7777);
  fs.futimesSync(to, st.atime, st.mtime);
}
