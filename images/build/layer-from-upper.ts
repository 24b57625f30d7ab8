// The changes of one build step as an OCI layer: the overlay upper directory of the step's
// container, written as a tar the way docker writes layers. Names are sorted, so the same
// changes give the same bytes; overlay's whiteouts become the OCI forms (images/tree-tar.ts).
// The tar is gzipped into `outFile`; its digest (of the gzip) and diff_id (of the
// tar) are computed on the way, so the layer is read once. A small layer (most build
// steps') is made in memory, the same bytes, and gzipped in one call (images/memory-tar.ts).

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, gzipSync } from 'node:zlib';
import { hostTreeDir, packTree, packTreeInto, type TreeDir } from '../tree-tar.js';
import { MemoryTar } from '../memory-tar.js';

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

/**
 * What gzip is handed at a time. The tar comes as a chunk per header and per small file,
 * and gzip carries out each write on the thread pool: a layer of twenty small files made
 * some fifty round trips, each a wait for the event loop on a busy machine, where one
 * block makes one.
 */
const GZIP_INPUT_BLOCK = 256 * 1024;

/** Passes the bytes on in blocks of `size` (the last one shorter). */
function coalesce(size: number): Transform {
  let held: Buffer[] = [];
  let length = 0;
  return new Transform({
    transform(chunk: Buffer, _enc: string, done: TransformCallback) {
      held.push(chunk);
      length += chunk.length;
      if (length < size) return done();
      const block = Buffer.concat(held, length);
      held = [];
      length = 0;
      done(null, block);
    },
    flush(done: TransformCallback) {
      done(null, length > 0 ? Buffer.concat(held, length) : undefined);
    },
  });
}

export const layerFromUpper = (upper: string, outFile: string) => layerFromTree(hostTreeDir(upper), outFile);

/** The same from any tree (a running container's upper folder read through fds: executor/host/linux/fd-tree-dir.ts). */
export async function layerFromTree(upper: TreeDir, outFile: string): Promise<LayerBlob> {
  return (await smallLayer(upper, outFile)) ?? streamedLayer(upper, outFile);
}

/** Up to this much tar is made in memory and gzipped in one call; a bigger layer is streamed. */
const IN_MEMORY_LIMIT = 4 * 1024 * 1024;

/** Thrown by the in-memory sink at the first file too big for it: the layer is streamed instead. */
class TooBigForMemory extends Error {}

/** A small layer packed in memory (no stream, no thread pool); undefined when it is too big for that. */
export async function smallLayer(upper: TreeDir, outFile: string): Promise<LayerBlob | undefined> {
  const tar = new MemoryTar();
  let entries: number;
  try {
    entries = await packTreeInto(
      (header, body) => {
        if (body !== undefined && !Buffer.isBuffer(body)) {
          body.destroy();
          throw new TooBigForMemory();
        }
        tar.add(header, body);
        if (tar.length > IN_MEMORY_LIMIT) throw new TooBigForMemory();
      },
      upper,
      { layer: true },
    );
  } catch (e) {
    if (e instanceof TooBigForMemory) return undefined;
    throw e;
  }
  const bytes = tar.finish();
  const blob = gzipSync(bytes);
  fs.writeFileSync(outFile, blob, { mode: 0o600 });
  return {
    file: outFile,
    digest: `sha256:${createHash('sha256').update(blob).digest('hex')}`,
    diffId: `sha256:${createHash('sha256').update(bytes).digest('hex')}`,
    size: blob.length,
    entries,
  };
}

/** Any layer, streamed through tar-stream and gzip (exported for the test that compares the two ways). */
export async function streamedLayer(upper: TreeDir, outFile: string): Promise<LayerBlob> {
  // Loaded for a big layer only: a build's small layers are packed in memory without it.
  const { default: tar } = await import('tar-stream');
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
    coalesce(GZIP_INPUT_BLOCK),
    createGzip(),
    tap(blobHash, true),
    fs.createWriteStream(outFile, { mode: 0o600 }),
  );
  let entries = 0;
  try {
    entries = await packTree(pack, upper, { layer: true });
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
