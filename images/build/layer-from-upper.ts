// The changes of one build step as an OCI layer: the overlay upper directory of the step's
// container, written as a tar the way docker writes layers. Names are sorted, so the same
// changes give the same bytes; overlay's whiteouts become the OCI forms (images/tree-tar.ts).
// The tar is gzipped into `outFile`; its digest (of the gzip) and diff_id (of the
// tar) are computed on the way, so the layer is read once.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { hostTreeDir, packTree, type TreeDir } from '../tree-tar.js';

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

export const layerFromUpper = (upper: string, outFile: string) => layerFromTree(hostTreeDir(upper), outFile);

/** The same from any tree (a running container's upper folder read through fds: executor/host/linux/fd-tree-dir.ts). */
export async function layerFromTree(upper: TreeDir, outFile: string): Promise<LayerBlob> {
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
