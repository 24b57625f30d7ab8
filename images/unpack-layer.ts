// Unpacks one image layer (tar, tar+gzip or tar+zstd) into a directory that overlayfs can
// use as a lower layer. Safety first: nothing is ever written outside the layer or through a
// link, and a crash never leaves a half layer under its final name.
//
// Names are treated the way docker treats them: cleaned lexically, a leading `/` dropped
// (`/etc/passwd` lands at `etc/passwd` in the layer, `/../x` at `x`), and anything that still climbs above
// the layer root (`../x`, `a/../../x`) rejected, as are hardlinks whose target does.
// Symlink targets are kept as they are, absolute or climbing above the root with `..`, as
// docker keeps them: unpacking never follows a link, and where stack follows one later (the
// init stage's mount targets and copy-up, the container at run time) it resolves inside the
// container's root (test/host/rootfs-links.test.ts). Device nodes are made only when running
// as root (as docker does); without CAP_MKNOD they are skipped.

import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import tar from 'tar-stream';
import { lsetxattr, mknod } from '../executor/host/linux/libc.js';
import { opaqueXattr } from './overlay-form.js';
import { partialName } from './partial-mark.js';
import { makePrivateDir } from '../store/private-files.js';
import { openDecompressed, sniffCompression } from './decompress.js';

export class LayerUnpackError extends Error {
  readonly entry: string;
  readonly reason: string;
  constructor(entry: string, reason: string) {
    super(`unsafe or invalid layer entry ${JSON.stringify(entry)}: ${reason}`);
    this.name = 'LayerUnpackError';
    this.entry = entry;
    this.reason = reason;
  }
}

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export class LayerSizeError extends Error {
  constructor(blobPath: string, limit: number) {
    super(
      `layer ${blobPath} unpacks to more than ${limit} bytes, the limit; raise STACK_MAX_LAYER_BYTES if the image is genuine`,
    );
    this.name = 'LayerSizeError';
  }
}

export class DiffIdError extends Error {
  constructor(blobPath: string, expected: string, actual: string) {
    super(
      `layer ${blobPath} unpacks to content with digest ${actual}, the image config's diff_id says ${expected} (tampered or corrupt); nothing was stored`,
    );
    this.name = 'DiffIdError';
  }
}

/** 64 GiB: far above any real layer, low enough to stop a decompression bomb filling the disk. */
const DEFAULT_MAX_BYTES = 64 * 1024 ** 3;

export interface UnpackOptions {
  /** Expected sha256 of the uncompressed tar (the config's rootfs.diff_ids entry). */
  diffId?: string;
  /** Cap on the uncompressed size; default STACK_MAX_LAYER_BYTES or 64 GiB. */
  maxBytes?: number;
}

/**
 * Unpacks the layer blob at `blobPath` into `destDir` (created; must not exist yet).
 * Returns the digest of the uncompressed tar (its diff_id).
 */
export async function unpackLayer(blobPath: string, destDir: string, opts: UnpackOptions = {}): Promise<string> {
  // Root-only: a layer may ship setuid files and device nodes (private-files.ts).
  await makePrivateDir(path.dirname(destDir));
  const tmp = partialName(destDir);
  await fsp.mkdir(tmp, { mode: 0o755 });
  try {
    await fsp.chmod(tmp, 0o755);
    const maxBytes = opts.maxBytes ?? (Number(process.env.STACK_MAX_LAYER_BYTES) || DEFAULT_MAX_BYTES);
    const diffId = await new Unpacker(tmp, maxBytes).run(blobPath);
    if (opts.diffId !== undefined && diffId !== opts.diffId) throw new DiffIdError(blobPath, opts.diffId, diffId);
    try {
      await fsp.rename(tmp, destDir);
    } catch (err) {
      // Someone else finished the same layer first: theirs is as good as ours.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      await fsp.rm(tmp, { recursive: true, force: true });
    }
    return diffId;
  } catch (err) {
    await fsp.rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

type Entry = AsyncIterable<unknown> & { header: tar.Header; resume(): unknown };

/** Waits for 'drain'; false when the extractor closed instead (an entry failed). */
function drained(ws: tar.Extract): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      ws.off('drain', onDrain);
      ws.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    ws.on('drain', onDrain);
    ws.on('close', onClose);
  });
}

/** 'wx' = O_CREAT|O_EXCL: never opens an existing file, never follows a symlink. */
async function writeFile(entry: Entry, target: string): Promise<void> {
  const out = await fsp.open(target, 'wx', 0o600);
  try {
    for await (const chunk of entry) await out.write(chunk as Buffer);
  } finally {
    await out.close();
  }
}

/**
 * Archive name → path components inside the layer ([] is the layer root), cleaned like Go's
 * filepath.Clean: `/` at the start is dropped, `a/../b` is `b`; climbing above the root throws.
 */
function entryParts(name: string, original: string): string[] {
  if (name.includes('\0')) throw new LayerUnpackError(original, 'NUL byte in path');
  const rooted = name.startsWith('/');
  const parts: string[] = [];
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue;
    if (p !== '..') parts.push(p);
    // `/..` is `/` (as in Go's filepath.Clean); a relative name may not climb above the root.
    else if (parts.pop() === undefined && !rooted)
      throw new LayerUnpackError(original, "path climbs out of the layer with '..'");
  }
  return parts;
}

const isRoot = process.geteuid?.() === 0;

class Unpacker {
  /** Relative paths known to be real directories created by this unpack. */
  private readonly dirs = new Set<string>(['']);
  private readonly dirTimes: Array<[string, Date]> = [];
  constructor(
    private readonly root: string,
    private readonly maxBytes: number,
  ) {}

  /** Unpacks; returns the sha256 digest of the whole uncompressed stream. */
  async run(blobPath: string): Promise<string> {
    const compression = await sniffCompression(blobPath);
    const extract = tar.extract();
    const input = openDecompressed(blobPath, compression);
    const hash = createHash('sha256');
    let total = 0;
    const feed = (async () => {
      for await (const chunk of input) {
        total += (chunk as Buffer).length;
        if (total > this.maxBytes) throw new LayerSizeError(blobPath, this.maxBytes);
        hash.update(chunk as Buffer);
        if (!extract.write(chunk as Buffer) && !(await drained(extract))) return;
      }
      extract.end(undefined);
    })().catch((err: Error) => {
      extract.destroy(err);
      throw err;
    });
    feed.catch(() => undefined); // awaited below; this only stops an unhandled rejection meanwhile
    let streamError: Error | undefined;
    extract.on('error', (err: Error) => (streamError ??= err));
    try {
      for await (const entry of extract) await this.entry(entry);
      await feed;
    } catch (err) {
      if (err instanceof LayerSizeError || streamError instanceof LayerSizeError) throw streamError ?? err;
      // An entry's stream dies with a bland "destroyed" when the archive itself is bad.
      if (streamError === undefined || err instanceof LayerUnpackError) throw err;
      const kind = compression === 'none' ? 'tar' : `tar+${compression}`;
      throw new Error(`layer ${blobPath} is not a valid ${kind}: ${streamError.message}`, { cause: streamError });
    } finally {
      input.destroy();
      extract.destroy();
      await feed.catch(() => undefined);
    }
    // Directory mtimes last, deepest first, since adding children changed them.
    this.dirTimes.sort((a, b) => b[0].length - a[0].length);
    for (const [p, t] of this.dirTimes) await fsp.lutimes(p, t, t);
    return `sha256:${hash.digest('hex')}`;
  }

  private async entry(entry: Entry): Promise<void> {
    const h = entry.header;
    const pax = (h.pax ?? {}) as Record<string, string | undefined>;
    const parts = entryParts(h.name, h.name);
    const base = parts.at(-1) ?? '';
    const dir = await this.parentDir(parts.slice(0, -1), h.name);

    if (base === OPAQUE) {
      lsetxattr(dir, opaqueXattr(), 'y');
      entry.resume();
      return;
    }
    if (base.startsWith(WHITEOUT)) {
      const hidden = base.slice(WHITEOUT.length);
      if (hidden === '' || hidden === '.' || hidden === '..')
        throw new LayerUnpackError(h.name, 'invalid whiteout name');
      const target = path.join(dir, hidden);
      await this.clear(target, parts.slice(0, -1).concat(hidden), false);
      mknod(target, S_IFCHR, 0, 0);
      entry.resume();
      return;
    }

    const rel = parts.join('/');
    const target = parts.length === 0 ? this.root : path.join(dir, base);
    const type = h.type ?? 'file';
    if (parts.length === 0 && type !== 'directory')
      throw new LayerUnpackError(h.name, 'the layer root must be a directory');
    if ((h.size ?? 0) > this.maxBytes)
      throw new LayerUnpackError(h.name, `entry of ${h.size} bytes is over the ${this.maxBytes}-byte layer limit`);
    if ((type === 'character-device' || type === 'block-device') && !isRoot) {
      entry.resume(); // only root may make device nodes; docker skips them likewise when it cannot
      return;
    }
    await this.clear(target, parts, type === 'directory');
    const mode = (h.mode ?? (type === 'directory' ? 0o755 : 0o644)) & 0o7777;

    switch (type) {
      case 'directory':
        await fsp.mkdir(target, { mode: 0o700 }).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'EEXIST') throw e;
        });
        this.dirs.add(rel);
        break;
      case 'file':
      case 'contiguous-file':
        await writeFile(entry, target);
        break;
      case 'symlink':
        if (!h.linkname) throw new LayerUnpackError(h.name, 'symlink without a target');
        if (h.linkname.includes('\0')) throw new LayerUnpackError(h.name, 'NUL byte in symlink target');
        await fsp.symlink(h.linkname, target);
        break;
      case 'link':
        await this.hardlink(h.name, h.linkname ?? '', target);
        entry.resume();
        return; // a hardlink shares its target's inode and metadata
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        const kind = type === 'fifo' ? S_IFIFO : type === 'block-device' ? S_IFBLK : S_IFCHR;
        mknod(target, kind | mode, h.devmajor ?? 0, h.devminor ?? 0);
        break;
      }
      default:
        throw new LayerUnpackError(h.name, `unsupported entry type ${String(type)}`);
    }
    entry.resume();

    const uid = Number(pax.uid ?? h.uid ?? 0);
    const gid = Number(pax.gid ?? h.gid ?? 0);
    await fsp.lchown(target, uid, gid);
    if (type !== 'symlink') await fsp.chmod(target, mode); // after chown, which clears setuid
    const mtime = pax.mtime ? new Date(Number(pax.mtime) * 1000) : (h.mtime ?? new Date(0));
    if (type === 'directory') this.dirTimes.push([target, mtime]);
    else await fsp.lutimes(target, mtime, mtime);
  }

  /** Returns the absolute path of the parent, creating missing directories; never via a symlink. */
  private async parentDir(parts: string[], name: string): Promise<string> {
    let rel = '';
    for (const part of parts) {
      rel = rel === '' ? part : `${rel}/${part}`;
      if (this.dirs.has(rel)) continue;
      const abs = path.join(this.root, rel);
      const st = await fsp.lstat(abs).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (st === null) {
        await fsp.mkdir(abs, { mode: 0o755 });
        await fsp.chmod(abs, 0o755);
      } else if (st.isSymbolicLink()) {
        throw new LayerUnpackError(
          name,
          `parent ${JSON.stringify(rel)} is a symlink; nothing is written through links`,
        );
      } else if (!st.isDirectory()) {
        throw new LayerUnpackError(name, `parent ${JSON.stringify(rel)} is not a directory`);
      }
      this.dirs.add(rel);
    }
    return path.join(this.root, ...parts);
  }

  /** Removes whatever is at `target`, except a directory that a directory entry keeps. */
  private async clear(target: string, parts: string[], keepDir: boolean): Promise<void> {
    if (parts.length === 0) return;
    const st = await fsp.lstat(target).catch(() => null);
    if (st === null || (keepDir && st.isDirectory())) return;
    const rel = parts.join('/');
    for (const d of this.dirs) if (d === rel || d.startsWith(`${rel}/`)) this.dirs.delete(d);
    await fsp.rm(target, { recursive: true, force: true });
  }

  private async hardlink(name: string, linkname: string, target: string): Promise<void> {
    if (linkname === '') throw new LayerUnpackError(name, 'hardlink without a target');
    let parts: string[];
    try {
      parts = entryParts(linkname, name);
    } catch {
      throw new LayerUnpackError(name, `hardlink target ${JSON.stringify(linkname)} is outside the layer`);
    }
    if (parts.length === 0) throw new LayerUnpackError(name, 'hardlink to the layer root');
    for (let i = 0; i < parts.length; i++) {
      const st = await fsp.lstat(path.join(this.root, ...parts.slice(0, i + 1))).catch(() => null);
      if (st === null)
        throw new LayerUnpackError(name, `hardlink target ${JSON.stringify(linkname)} is not unpacked yet`);
      const last = i === parts.length - 1;
      if (!last && !st.isDirectory())
        throw new LayerUnpackError(name, `hardlink target ${JSON.stringify(linkname)} goes through a link or file`);
      if (last && st.isDirectory()) throw new LayerUnpackError(name, 'hardlink to a directory');
    }
    await fsp.link(path.join(this.root, ...parts), target);
  }
}
