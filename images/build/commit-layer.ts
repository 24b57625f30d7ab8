// A finished step's upper folder becomes a stored layer: packed as an OCI layer blob
// (layer-from-upper.ts), the blob kept under images/blobs for push and save, and the folder
// itself moved into the layer store — it is already in the overlay form the store keeps, so
// nothing is unpacked again. A step that changed nothing makes no layer (docker marks it an
// empty layer in the history).

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { paths } from '../../store/paths.js';
import { recordDiffId } from '../layer-store.js';
import { layerFromUpper } from './layer-from-upper.js';
import { keepBlob } from '../blob-store.js';
import { removeTree } from '../../store/remove-tree.js';

export interface CommittedLayer {
  digest: string;
  diffId: string;
  size: number;
}

/**
 * Packs and stores `upper`; the folder is gone afterwards (moved into the store, or removed).
 * The folder and file moves are synchronous calls: a handful of metadata calls per step,
 * each cheaper than its trip through the thread pool.
 */
export async function commitLayer(upper: string): Promise<CommittedLayer | undefined> {
  const tmpBlob = path.join(paths.imagesDir(), 'tmp', `layer-${process.pid}-${randomBytes(6).toString('hex')}.tar.gz`);
  fs.mkdirSync(path.dirname(tmpBlob), { recursive: true, mode: 0o700 });
  let failure: unknown;
  try {
    const blob = await layerFromUpper(upper, tmpBlob);
    if (blob.entries === 0) return undefined;
    await keepBlob(tmpBlob, blob.digest);
    const dir = paths.layerDir(blob.digest);
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    try {
      fs.renameSync(upper, dir);
    } catch (err) {
      // The same layer is stored already (an equal step of another build): keep that one.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
    }
    await recordDiffId(blob.digest, blob.diffId);
    return { digest: blob.digest, diffId: blob.diffId, size: blob.size };
  } catch (err) {
    failure = err;
    throw err;
  } finally {
    fs.rmSync(tmpBlob, { force: true });
    // removeTree, not fs.rm: a RUN step may nest folders past PATH_MAX, where fs.rm fails and
    // leaves the folder. A removal that fails anyway never hides why the commit failed.
    await removeTree(upper).catch((err: unknown) => {
      if (failure === undefined) throw err;
    });
  }
}
