// `stack image import DIR`: an OCI image layout folder (index.json + blobs/sha256/…) into
// the local store. Every blob read is checked against its digest before anything is stored.
// The manifest, config and layer blobs are kept as they are (same digests), for push and save.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImageInfo } from '../model/observed.js';
import { normalizeImageRef } from '../model/image-ref.js';
import { keepBlobCopy, writeBlob } from './blob-store.js';
import { saveImage } from './image-store.js';
import { holdLayers } from './layer-holds.js';
import { layersToStore, storeLayer } from './layer-store.js';
import {
  BlobDigestError,
  checkDigest,
  checkManifest,
  diffIds,
  ImageFormatError,
  imageInfo,
  isIndex,
  parseJson,
  pickPlatform,
  verifiedJson,
  type Descriptor,
  type ImageConfig,
  type Index,
  type Manifest,
} from './manifest.js';

export class ImageImportError extends ImageFormatError {
  constructor(message: string) {
    super(message);
    this.name = 'ImageImportError';
  }
}

export { BlobDigestError };

const REF_NAME = 'org.opencontainers.image.ref.name';

export interface ImportOptions {
  /** Reference to record the image under; also picks the manifest whose ref name matches. */
  tag?: string;
  /** os/arch[/variant] to pick from an image index (default: the host's). */
  platform?: string;
}

/** Imports the OCI image layout at `dir`; returns the stored record. */
export async function importOciLayout(dir: string, opts: ImportOptions = {}): Promise<ImageInfo> {
  const index = await readJson<Index>(path.join(dir, 'index.json'), 'index.json');
  const chosen = pickManifest(index.manifests ?? [], opts.tag);
  const rawName = opts.tag ?? chosen.annotations?.[REF_NAME];
  if (rawName === undefined)
    throw new ImageImportError(`${dir}: the image has no ${REF_NAME} annotation; give it a name with --tag`);
  const ref = normalizeImageRef(rawName);

  let desc = chosen;
  if (isIndex(desc.mediaType))
    desc = pickPlatform((await readBlob<Index>(dir, desc)).doc, opts.platform, `image index ${desc.digest}`);
  const manifest = await readBlob<Manifest>(dir, desc);
  const { config: configDesc, layers } = checkManifest(manifest.doc, `manifest ${desc.digest}`);
  const configBlob = await readBlob<ImageConfig>(dir, configDesc);
  const config = configBlob.doc;
  const ids = diffIds(config, layers.length, `config ${configDesc.digest}`);
  // Made now so that a malformed config field stops the import before anything is stored.
  const info = imageInfo(
    ref,
    configDesc.digest,
    layers.map((l) => l.digest),
    config,
  );
  const digests = layers.map((l) => l.digest);
  const what = `config ${configDesc.digest}`;
  // Verify every layer we will read, and the diff_ids of those stored already, before storing anything.
  const missing = await layersToStore(digests, ids, what);
  for (const i of missing) await verifyFile(blobPath(dir, digests[i]!), layers[i]!);
  const release = await holdLayers([...digests, configDesc.digest, desc.digest]);
  try {
    for (const i of missing) await storeLayer(blobPath(dir, digests[i]!), digests[i]!, ids[i]!, what);
    for (const layer of layers) await keepBlobCopy(blobPath(dir, layer.digest), layer);
    await writeBlob(configBlob.data, configDesc.digest);
    await writeBlob(manifest.data, desc.digest);
    return await saveImage({ ...info, manifest: desc.digest });
  } finally {
    await release();
  }
}

function pickManifest(manifests: Descriptor[], tag: string | undefined): Descriptor {
  if (manifests.length === 0) throw new ImageImportError('index.json lists no manifests');
  if (tag !== undefined) {
    const want = normalizeImageRef(tag);
    const match = manifests.find((m) => {
      const name = m.annotations?.[REF_NAME];
      if (name === undefined) return false;
      if (name === tag) return true;
      try {
        return normalizeImageRef(name) === want;
      } catch {
        return false;
      }
    });
    if (match) return match;
    if (manifests.length > 1) {
      const names = manifests.map((m) => m.annotations?.[REF_NAME] ?? m.digest).join(', ');
      throw new ImageImportError(`no manifest named ${tag} in index.json (it has: ${names})`);
    }
  }
  return manifests[0]!;
}

function blobPath(dir: string, digest: string): string {
  return path.join(dir, 'blobs', 'sha256', checkDigest(digest).slice(7));
}

async function readJson<T>(file: string, what: string): Promise<T> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new ImageImportError(`cannot read ${what} at ${file}: ${(err as Error).message}`);
  }
  return parseJson<T>(text, what);
}

/** Reads a small blob (manifest, config, index) and checks size and sha256 first; returns its bytes and document. */
async function readBlob<T>(dir: string, desc: Descriptor): Promise<{ data: Buffer; doc: T }> {
  const file = blobPath(dir, desc.digest);
  const data = await fs.readFile(file).catch((err: Error) => {
    throw new ImageImportError(`blob ${desc.digest} is missing: ${err.message}`);
  });
  return { data, doc: verifiedJson<T>(data, desc, `blob ${file}`) };
}

async function verifyFile(file: string, desc: Descriptor): Promise<void> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    throw new ImageImportError(`blob ${desc.digest} is missing or unreadable: ${(err as Error).message}`);
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== desc.digest) throw new BlobDigestError(`blob ${file}`, desc.digest, actual);
  if (desc.size !== undefined && size !== desc.size) {
    throw new ImageImportError(`blob ${desc.digest} is ${size} bytes, the descriptor says ${desc.size}`);
  }
}
