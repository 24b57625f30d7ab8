// Stored layers and the diff_id each was verified against. A layer is keyed by its blob's
// digest and unpacked once; the digest of its uncompressed content (the diff_id an image
// config names for it) is recorded beside it when it is unpacked. An image that reuses a
// stored layer is then held to the same check as one that brings it: a config that names
// another diff_id for that layer is tampered or corrupt, and the import or pull stores
// nothing. Layers stored before diff_ids were recorded are verified again from the blob.

import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../store/paths.js';
import { hasLayer } from './image-store.js';
import { ImageFormatError } from './image-format-error.js';

export class LayerDiffIdMismatchError extends ImageFormatError {
  readonly layer: string;
  constructor(what: string, layer: string, stored: string, claimed: string) {
    super(
      `${what}: layer ${layer} is stored with content digest ${stored}, but the config's diff_id for it is ${claimed} ` +
        '(tampered or corrupt config); nothing was stored',
    );
    this.name = 'LayerDiffIdMismatchError';
    this.layer = layer;
  }
}

/** The diff_id recorded for the stored layer `digest`, or undefined when none is. */
async function recordedDiffId(digest: string): Promise<string | undefined> {
  try {
    return (await fs.readFile(paths.layerDiffId(digest), 'utf8')).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Synchronous calls: a few bytes, where each trip through the thread pool cost more than the call (every build step that makes a layer records one). */
export async function recordDiffId(digest: string, diffId: string): Promise<void> {
  const file = paths.layerDiffId(digest);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, diffId + '\n', { flag: 'wx' });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** Drops the record of a layer that was removed from the store (image prune). */
export async function forgetDiffId(digest: string): Promise<void> {
  await fs.rm(paths.layerDiffId(digest), { force: true });
}

/**
 * The indices of `layers` that still have to be unpacked (and so verified); a stored layer
 * verified against the diff_id its config names is skipped. Throws when a stored layer was
 * verified against another diff_id, before anything is stored.
 */
export async function layersToStore(layers: string[], diffIds: string[], what: string): Promise<number[]> {
  const missing: number[] = [];
  for (const [i, digest] of layers.entries()) {
    if (!(await hasLayer(digest))) {
      missing.push(i);
      continue;
    }
    const stored = await recordedDiffId(digest);
    if (stored === undefined) missing.push(i);
    else if (stored !== diffIds[i]) throw new LayerDiffIdMismatchError(what, digest, stored, diffIds[i]!);
  }
  return missing;
}

/**
 * Unpacks the layer blob at `file` as layer `digest`, checking its content against `diffId`,
 * and records that diff_id; a copy verified against the same diff_id meanwhile is kept as it is.
 */
export async function storeLayer(file: string, digest: string, diffId: string, what: string): Promise<void> {
  if ((await layersToStore([digest], [diffId], what)).length === 0) return;
  // Loaded here: a build's layer commit records diff_ids only, and the unpacker's modules
  // (tar-stream, the decompressors) were ~2 ms of a one-file rebuild's start of its COPY.
  const { unpackLayer } = await import('./unpack-layer.js');
  await unpackLayer(file, paths.layerDir(digest), { diffId });
  await recordDiffId(digest, diffId);
}
