// A folder tree written into a tar the way docker writes layers and exports: names sorted
// (the same tree gives the same bytes), owners, modes and times kept, files with several
// links in the tree as tar hard links, device nodes and FIFOs as such, sockets left out.
// Where the tree comes from is a TreeDir: a plain host folder (an overlay upper folder,
// whose whiteouts and opaque folders become the OCI forms `.wh.NAME` and `.wh..wh..opq`),
// or a running container's filesystem opened from the host (executor/host/linux/).

import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type tar from 'tar-stream';
import { isOpaque, isWhiteout } from './overlay-form.js';
import type { TarHeader } from './memory-tar.js';

/** One open folder of the tree; names are single entries of it. */
export interface TreeDir {
  names(): string[];
  lstat(name: string): fs.Stats;
  readlink(name: string): string;
  /** The content of the regular file `name` (whose lstat is `st`). */
  read(name: string, st: fs.Stats): Buffer | Readable;
  /** overlay's opaque mark (`trusted.overlay.opaque`) on the folder `name`. */
  opaque(name: string): boolean;
  enter(name: string): TreeDir;
  close(): void;
}

export interface PackOptions {
  /** An overlay upper folder: 0/0 character devices are whiteouts, opaque folders marked. */
  layer: boolean;
  /** A mount point (`rel` from the top): written empty, its content is another filesystem's. */
  mountPoint?: (rel: string) => boolean;
}

const SMALL_FILE = 1 << 20;

/** A host folder as a TreeDir. */
export function hostTreeDir(dir: string): TreeDir {
  return {
    names: () => fs.readdirSync(dir),
    lstat: (name) => fs.lstatSync(path.join(dir, name)),
    readlink: (name) => fs.readlinkSync(path.join(dir, name)),
    read: (name, st) =>
      st.size <= SMALL_FILE ? fs.readFileSync(path.join(dir, name)) : fs.createReadStream(path.join(dir, name)),
    opaque: (name) => isOpaque(path.join(dir, name)),
    enter: (name) => hostTreeDir(path.join(dir, name)),
    close: () => {},
  };
}

/** Where packTree writes an entry: a tar-stream pack, or a tar in memory (memory-tar.ts). */
export type TarEntrySink = (header: TarHeader, body?: Readable | Buffer) => Promise<void> | void;

/** Writes the tree below `top` into `pack`; resolves with the number of entries written. */
export function packTree(pack: tar.Pack, top: TreeDir, opts: PackOptions): Promise<number> {
  const add = (header: TarHeader, body?: Readable | Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (body === undefined || Buffer.isBuffer(body)) {
        pack.entry(header as tar.Header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
        return;
      }
      const entry = pack.entry(header as tar.Header, (err) => (err ? reject(err) : resolve()));
      body.on('error', reject).pipe(entry);
    });
  return packTreeInto(add, top, opts);
}

/** packTree with each entry handed to `sink`. */
export async function packTreeInto(sink: TarEntrySink, top: TreeDir, opts: PackOptions): Promise<number> {
  const links = new Map<string, string>(); // dev:ino → first name in the tree
  let entries = 0;
  const add = async (header: TarHeader, body?: Readable | Buffer): Promise<void> => {
    entries++;
    await sink(header, body);
  };

  const walk = async (dir: TreeDir, rel: string): Promise<void> => {
    // Synchronous calls for the names and small files: one call through the thread pool per
    // file cost more than the call itself.
    for (const name of dir.names().sort()) {
      const relPath = rel ? `${rel}/${name}` : name;
      const st = dir.lstat(name);
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
      const mounted = opts.mountPoint?.(relPath) === true;
      if (opts.layer && isWhiteout(st)) {
        await add({ name: rel ? `${rel}/.wh.${name}` : `.wh.${name}`, type: 'file', size: 0, ...base, mode: 0o644 });
      } else if (st.isDirectory()) {
        await add({ name: `${relPath}/`, type: 'directory', ...base });
        if (opts.layer && dir.opaque(name)) {
          await add({ name: `${relPath}/.wh..wh..opq`, type: 'file', size: 0, ...base, mode: 0o644 });
        }
        if (mounted) continue;
        const sub = dir.enter(name);
        try {
          await walk(sub, relPath);
        } finally {
          sub.close();
        }
      } else if (st.isSymbolicLink()) {
        await add({ name: relPath, type: 'symlink', linkname: dir.readlink(name), ...base });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first) await add({ name: relPath, type: 'link', linkname: first, ...base });
        else if (mounted) await add({ name: relPath, type: 'file', size: 0, ...base });
        else {
          if (st.nlink > 1) links.set(key, relPath);
          await add({ name: relPath, type: 'file', size: st.size, ...base }, dir.read(name, st));
        }
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const type = st.isCharacterDevice() ? 'character-device' : 'block-device';
        await add({
          name: relPath,
          type,
          devmajor: Number(BigInt(st.rdev) >> 8n) & 0xfff,
          devminor: (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00),
          ...base,
        });
      } else if (st.isFIFO()) {
        await add({ name: relPath, type: 'fifo', ...base });
      }
      // Sockets are not part of an image (docker skips them too).
    }
  };
  await walk(top, '');
  return entries;
}
