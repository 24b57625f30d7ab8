// COPY and WORKDIR without a container: the files go straight into the step's upper folder,
// the destination resolved in the image's root first (layer-stack.ts). Docker's rules: a
// folder source copies its contents; several sources or a destination ending in `/` make
// the destination a folder; one file onto an existing folder lands inside it. New files
// and folders belong to 0:0 unless --chown; modes and mtimes come from the source, modes
// from --chmod when given. Parents that exist below get their owner and mode copied up,
// as overlayfs itself does.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { BuildContextError, walkContext, type BuildContext, type ReadFiles } from './build-context.js';
import { lookup, resolveInRoot } from './layer-stack.js';

export interface CopyInto {
  /** The step's upper folder, and the image's layer folders below it (topmost first). */
  upper: string;
  layers: string[];
  /** Absolute in the image; a trailing `/` says it is a folder. */
  dest: string;
  owner?: { uid: number; gid: number };
  /** --chmod as a number (0o644). */
  mode?: number;
  /** Keep each file's owner (COPY --from a stage or image) unless `owner` says otherwise; else 0:0. */
  keepOwners?: boolean;
  /** Context files the step's cache key was made from: copied as read then (build-context.ts). */
  read?: ReadFiles;
}

/**
 * Copies context paths (as matchSource gave them) into the upper folder. A source that is a
 * symbolic link is followed (BuildKit copies what it points to, under the link's name); a
 * folder source gives its contents, and the destination folder is the image's own or a new
 * one (0755), never a copy of the source folder's mode.
 */
export async function copyFromContext(ctx: BuildContext, sources: string[], into: CopyInto): Promise<void> {
  const stack = [into.upper, ...into.layers];
  const real = await Promise.all(sources.map((s) => followSource(ctx, s)));
  const destIsDir =
    into.dest.endsWith('/') || sources.length > 1 || (await isDir(ctx, real[0]!)) || lookupIsDir(stack, into.dest);
  const destRel = resolveInRoot(stack, into.dest.replace(/\/+$/, ''));
  const folders: UpperFolders = new Set();
  for (const [i, source] of sources.entries()) {
    const from = real[i]!;
    const sourceIsDir = await isDir(ctx, from);
    const base = sourceIsDir ? destRel : destIsDir ? joinRel(destRel, path.posix.basename(source)) : destRel;
    for (const p of await walkContext(ctx, from)) {
      const within = sourceIsDir ? path.posix.relative(from, p) : '';
      if (sourceIsDir && within === '') ensureParents(stack, into.upper, `${base}/x`, into.owner, folders);
      else await copyEntry(path.join(ctx.dir, p), within ? joinRel(base, within) : base, stack, into, folders);
    }
  }
}

/**
 * Upper-relative folders one copy has made or found there as folders: the parents of its
 * next entries need no lstat each. Only that copy writes the upper meanwhile, and it drops
 * a path (and what is below) when it puts something else there.
 */
type UpperFolders = Set<string>;

/** Drops `rel` and the folders below it; a folder's parents are all known when it is, so none when it is not. */
function forgetBelow(folders: UpperFolders | undefined, rel: string): void {
  if (!folders?.has(rel)) return;
  for (const f of folders) if (f === rel || f.startsWith(`${rel}/`)) folders.delete(f);
}

/** The destination folder of a folder's contents: the image's (copied up), else new, 0755. */
export async function ensureFolder(stack: string[], into: CopyInto, rel: string): Promise<void> {
  ensureParents(stack, into.upper, `${rel}/x`, into.owner);
}

/** A source that is a symbolic link → what it points to, which must be in the context too. */
async function followSource(ctx: BuildContext, source: string): Promise<string> {
  const full = path.join(ctx.dir, source);
  if (!fs.lstatSync(full).isSymbolicLink()) return source;
  const target = await fsp.realpath(full).catch(() => undefined);
  const rel = target === undefined ? undefined : path.relative(await fsp.realpath(ctx.dir), target);
  if (rel === undefined || rel.startsWith('..') || path.isAbsolute(rel))
    throw new BuildContextError(`${source} is a symbolic link to a file outside the build context (or to nothing)`);
  return rel.split(path.sep).join('/');
}

/** WORKDIR: the folder, made with its parents when the image lacks it. */
export async function makeWorkdir(
  upper: string,
  layers: string[],
  dir: string,
  owner?: { uid: number; gid: number },
): Promise<void> {
  const stack = [upper, ...layers];
  const rel = resolveInRoot(stack, dir);
  if (lookup(stack, rel).kind === 'found') return;
  ensureParents(stack, upper, `${rel}/x`, owner);
}

/**
 * Copies one entry (a file, link or folder, not its contents) to `targetRel` in the upper
 * folder. Synchronous file calls: a COPY is mostly small files, and each call through
 * the thread pool costs more than the call itself (a rebuild's COPY of 20 files spent
 * most of its time waiting on that).
 */
export async function copyEntry(
  from: string,
  targetRel: string,
  stack: string[],
  into: CopyInto,
  folders?: UpperFolders,
): Promise<void> {
  const read = into.read?.get(from);
  const st = read?.stat ?? fs.lstatSync(from);
  // Only a folder looks below: a file, link or folder the image has there is replaced by a
  // file or link all the same (a lookup walks every layer for every path component).
  const existing = st.isDirectory() ? lookup(stack, targetRel) : undefined;
  if (existing?.kind === 'found' && existing.stat.isDirectory()) {
    // A folder the image has keeps its owner and mode; only what goes into it is new.
    ensureParents(stack, into.upper, `${targetRel}/x`, into.owner, folders);
    return;
  }
  ensureParents(stack, into.upper, targetRel, into.owner, folders);
  const to = path.join(into.upper, targetRel);
  const uid = into.owner?.uid ?? (into.keepOwners ? st.uid : 0);
  const gid = into.owner?.gid ?? (into.keepOwners ? st.gid : 0);
  if (read && st.isFile()) {
    forgetBelow(folders, targetRel);
    writeRead(to, read.bytes, st, uid, gid, into.mode);
    return;
  }
  // Removed only when something is there: fs.rmSync of nothing throws and catches an ENOENT,
  // which costs more than the lstat, and a fresh upper folder has nothing.
  const there = lstatOrUndefined(to);
  if (!st.isDirectory()) forgetBelow(folders, targetRel);
  if (st.isDirectory()) {
    if (!there?.isDirectory()) {
      if (there) fs.rmSync(to, { force: true });
      fs.mkdirSync(to);
    }
    folders?.add(targetRel);
  } else {
    if (there) fs.rmSync(to, { force: true, recursive: true });
    if (st.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(from), to);
    else if (read) fs.writeFileSync(to, read.bytes, { mode: 0o600 });
    // Big files through the thread pool, so other builds of the same command go on meanwhile.
    else if (st.size > SMALL_FILE) await fsp.copyFile(from, to);
    else fs.copyFileSync(from, to);
  }
  fs.lchownSync(to, uid, gid);
  if (!st.isSymbolicLink()) {
    fs.chmodSync(to, into.mode ?? st.mode & 0o7777);
    fs.utimesSync(to, st.atime, st.mtime);
  }
}

/**
 * A file the checksum read, written through one descriptor: made with O_EXCL (which never
 * follows a link there), so a fresh upper folder needs no lstat first, and owner, mode and
 * times set on the descriptor rather than by path. Whatever is in the way is removed first,
 * as for any entry. The owner before the mode: a chown clears setuid and setgid bits.
 */
function writeRead(to: string, bytes: Buffer, st: fs.Stats, uid: number, gid: number, mode?: number): void {
  let fd: number;
  try {
    fd = fs.openSync(to, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    fs.rmSync(to, { force: true, recursive: true });
    fd = fs.openSync(to, 'wx', 0o600);
  }
  try {
    for (let off = 0; off < bytes.length;) off += fs.writeSync(fd, bytes, off);
    fs.fchownSync(fd, uid, gid);
    fs.fchmodSync(fd, mode ?? st.mode & 0o7777);
    fs.futimesSync(fd, st.atime, st.mtime);
  } finally {
    fs.closeSync(fd);
  }
}

const SMALL_FILE = 1 << 20;

function lstatOrUndefined(file: string): fs.Stats | undefined {
  return fs.lstatSync(file, { throwIfNoEntry: false });
}

/** Every parent of `rel` as a folder in the upper: copied up from below, or new (0755). */
function ensureParents(
  stack: string[],
  upper: string,
  rel: string,
  owner?: { uid: number; gid: number },
  folders?: UpperFolders,
): void {
  const parts = rel.split('/').filter(Boolean).slice(0, -1);
  for (let i = 0; i < parts.length; i++) {
    const sub = parts.slice(0, i + 1).join('/');
    if (folders?.has(sub)) continue;
    folders?.add(sub);
    const inUpper = path.join(upper, sub);
    if (lstatOrUndefined(inUpper)?.isDirectory()) continue;
    const below = lookup(stack.slice(1), sub);
    fs.rmSync(inUpper, { force: true });
    fs.mkdirSync(inUpper);
    if (below.kind === 'found' && below.stat.isDirectory()) {
      fs.lchownSync(inUpper, below.stat.uid, below.stat.gid);
      fs.chmodSync(inUpper, below.stat.mode & 0o7777);
      fs.utimesSync(inUpper, below.stat.atime, below.stat.mtime);
    } else {
      fs.lchownSync(inUpper, owner?.uid ?? 0, owner?.gid ?? 0);
      fs.chmodSync(inUpper, 0o755);
    }
  }
}

export function joinRel(a: string, b: string): string {
  return a ? `${a}/${b}` : b;
}

async function isDir(ctx: BuildContext, rel: string): Promise<boolean> {
  try {
    return fs.lstatSync(path.join(ctx.dir, rel)).isDirectory();
  } catch {
    return false;
  }
}

export function lookupIsDir(stack: string[], dest: string): boolean {
  const found = lookup(stack, resolveInRoot(stack, dest));
  return found.kind === 'found' && fs.statSync(found.file).isDirectory();
}
