// The changes of one build step as an OCI layer: the overlay upper directory of the step's
// container, written as a tar the way docker writes layers. Names are sorted, so the same
// changes give the same bytes; overlay's whiteouts (a 0/0 character device for a deleted
// file, the `trusted.overlay.opaque` xattr for a replaced folder) become the OCI forms
// (`.wh.NAME`, `.wh..wh..opq`); files with several links in the layer become tar hard
// links. The tar is gzipped into `outFile`; its digest (of the gzip) and diff_id (of the
// tar) are computed on the way, so the layer is read once.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { lgetxattr } from '../../executor/host/linux/libc.js';

export interface LayerBlob {
  file: string;
  /** sha256 of the gzipped blob (the manifest's layer digest). */
  digest: string;
  /** sha256 of the tar (the config's rootfs.diff_ids entry). */
  diffId: string;
  size: number;
  /** Entries written, whiteouts included; 0 means the step changed no file. */
  entries: number;
}

export async function layerFromUpper(upper: string, outFile: string): Promise<LayerBlob> {
  const pack = tar.pack();
  const diffHash = createHash('sha256');
  const blobHash = createHash('sha256');
  let size = 0;
  const tap = (hash: ReturnType<typeof createHash>, count: boolean) =>
    new Transform({
      transform(chunk: Buffer, _enc: string, done: TransformCallback) {
        hash.update(chunk);
        if (count) size += chunk.length;
        done(null, chunk);
      },
    });
  const written = pipeline(
    pack,
    tap(diffHash, false),
    createGzip(),
    tap(blobHash, true),
    fs.createWriteStream(outFile, { mode: 0o600 }),
  );
  let entries = 0;
  try {
    entries = await packTree(pack, upper);
    pack.finalize();
    await written;
  } catch (e) {
    pack.destroy(e as Error);
    await written.catch(() => undefined);
    await fsp.rm(outFile, { force: true });
    throw e;
  }
  return {
    file: outFile,
    digest: `sha256:${blobHash.digest('hex')}`,
    diffId: `sha256:${diffHash.digest('hex')}`,
    size,
    entries,
  };
}

const SMALL_FILE = 1 << 20;

async function packTree(pack: tar.Pack, root: string): Promise<number> {
  const links = new Map<string, string>(); // dev:ino → first name in the layer
  let entries = 0;
  const add = (header: Partial<tar.Header> & { name: string }, body?: fs.ReadStream | Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      entries++;
      if (body === undefined || Buffer.isBuffer(body)) {
        pack.entry(header as tar.Header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
        return;
      }
      const entry = pack.entry(header as tar.Header, (err) => (err ? reject(err) : resolve()));
      body.on('error', reject).pipe(entry);
    });

  const walk = async (rel: string): Promise<void> => {
    // Synchronous calls for the names and small files: one call through the thread pool per
    // file cost more than the call itself.
    const names = fs.readdirSync(path.join(root, rel)).sort();
    for (const name of names) {
      const relPath = rel ? `${rel}/${name}` : name;
      const full = path.join(root, relPath);
      const st = fs.lstatSync(full);
      const base = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
      if (st.isCharacterDevice() && st.rdev === 0) {
        await add({ name: rel ? `${rel}/.wh.${name}` : `.wh.${name}`, type: 'file', size: 0, ...base, mode: 0o644 });
      } else if (st.isDirectory()) {
        await add({ name: `${relPath}/`, type: 'directory', ...base });
        if (lgetxattr(full, 'trusted.overlay.opaque')?.toString() === 'y') {
          await add({ name: `${relPath}/.wh..wh..opq`, type: 'file', size: 0, ...base, mode: 0o644 });
        }
        await walk(relPath);
      } else if (st.isSymbolicLink()) {
        await add({ name: relPath, type: 'symlink', linkname: fs.readlinkSync(full), ...base });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? links.get(key) : undefined;
        if (first) await add({ name: relPath, type: 'link', linkname: first, ...base });
        else {
          if (st.nlink > 1) links.set(key, relPath);
          const body = st.size <= SMALL_FILE ? fs.readFileSync(full) : fs.createReadStream(full);
          await add({ name: relPath, type: 'file', size: st.size, ...base }, body);
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
  await walk('');
  return entries;
}
