// `docker save` archives: manifest.json lists, per image, its config file, its RepoTags and
// its layer tars (uncompressed, base first). The config is checked against its file name's
// digest where the name carries one, and every layer against the config's diff_ids.
// Such an archive has no registry manifest: the config and layer files are kept as blobs and
// an OCI manifest naming them is written, so the image can be pushed or saved like any other.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImageInfo } from '../model/observed.js';
import { normalizeImageRef } from '../model/image-ref.js';
import type { Extracted } from './extract-archive.js';
import { fileDigest, keepBlobCopy, writeBlob } from './blob-store.js';
import { sniffCompression } from './decompress.js';
import { saveImage } from './image-store.js';
import { ociManifest } from './kept-image.js';
import { holdLayers } from './layer-holds.js';
import { layersToStore, storeLayer } from './layer-store.js';
import {
  BlobDigestError,
  diffIds,
  ImageFormatError,
  imageInfo,
  parseJson,
  sha256,
  type Descriptor,
  type ImageConfig,
} from './manifest.js';

interface SaveEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

const LAYER_MEDIA_TYPES = {
  none: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const;

function pickEntry(entries: SaveEntry[], tag: string | undefined, archive: string): SaveEntry {
  if (entries.length === 0) throw new ImageFormatError(`${archive}: manifest.json lists no images`);
  if (tag !== undefined) {
    const want = normalizeImageRef(tag);
    const match = entries.find((e) => (e.RepoTags ?? []).some((t) => normalizeImageRef(t) === want));
    if (match) return match;
  }
  if (entries.length === 1) return entries[0]!;
  const names = entries.map((e) => (e.RepoTags ?? []).join(' ') || e.Config).join(', ');
  throw new ImageFormatError(`${archive} holds ${entries.length} images (${names}); choose one with --tag`);
}

async function need(x: Extracted, name: string | undefined, what: string, archive: string): Promise<string> {
  const file = name === undefined ? undefined : await x.resolve(name);
  if (file === undefined)
    throw new ImageFormatError(`${archive}: ${what} ${JSON.stringify(name)} is missing from the archive`);
  return file;
}

export async function importDockerArchive(x: Extracted, archive: string, tag: string | undefined): Promise<ImageInfo> {
  const entries = parseJson<SaveEntry[]>(
    await fs.readFile(path.join(x.dir, 'manifest.json'), 'utf8'),
    `${archive}: manifest.json`,
  );
  if (!Array.isArray(entries)) throw new ImageFormatError(`${archive}: manifest.json is not a list`);
  const entry = pickEntry(entries, tag, archive);
  const rawRef = tag ?? entry.RepoTags?.[0];
  if (rawRef === undefined)
    throw new ImageFormatError(`${archive}: the image has no RepoTags; give it a name with --tag`);
  const ref = normalizeImageRef(rawRef);

  const configData = await fs.readFile(await need(x, entry.Config, 'config', archive));
  const configDigest = sha256(configData);
  const named = /([0-9a-f]{64})(?:\.json)?$/.exec(entry.Config ?? '')?.[1];
  if (named !== undefined && `sha256:${named}` !== configDigest)
    throw new BlobDigestError(`${archive}: config ${entry.Config}`, `sha256:${named}`, configDigest);
  const config = parseJson<ImageConfig>(configData.toString('utf8'), `${archive}: config`);
  const layerNames = entry.Layers ?? [];
  const ids = diffIds(config, layerNames.length, `${archive}: config`);

  const files = await Promise.all(layerNames.map((l) => need(x, l, 'layer', archive)));
  const blobs: Descriptor[] = await Promise.all(
    files.map(async (f) => ({ ...(await fileDigest(f)), mediaType: LAYER_MEDIA_TYPES[await sniffCompression(f)] })),
  );
  const keys = blobs.map((b) => b.digest);
  // Made now so that a malformed config field stops the import before anything is stored.
  const info = imageInfo(ref, configDigest, keys, config);
  const what = `${archive}: config`;
  const missing = await layersToStore(keys, ids, what);
  const manifest = ociManifest({ digest: configDigest, size: configData.length }, blobs);
  const release = await holdLayers([...keys, configDigest, manifest.digest]);
  try {
    for (const i of missing) await storeLayer(files[i]!, keys[i]!, ids[i]!, what);
    for (const [i, blob] of blobs.entries()) await keepBlobCopy(files[i]!, blob);
    await writeBlob(configData, configDigest);
    await writeBlob(manifest.bytes, manifest.digest);
    return await saveImage({ ...info, manifest: manifest.digest });
  } finally {
    await release();
  }
}
