// An image of the store as push and save send it: its manifest read from the kept blobs,
// and every blob the manifest names checked to be kept, before a byte leaves. Records
// written before stack kept blobs name no manifest; those images must be fetched again.

import fsp from 'node:fs/promises';
import type { ImageInfo } from '../model/observed.js';
import { paths } from '../store/paths.js';
import { keptBlobSize } from './blob-store.js';
import { findImage } from './image-store.js';
import { checkManifest, parseJson, sha256, type Descriptor, type Manifest } from './manifest.js';
import { NoSuchImageError } from './image-gc.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

/** The image's record has no manifest: it was pulled, imported or built before blobs were kept. */
export class ImageNotKeptError extends Error {
  readonly ref: string;
  constructor(ref: string, action: string) {
    super(
      `cannot ${action} image ${ref}: it was stored before stack kept image blobs, so its manifest and compressed layers are gone; ` +
        `pull it again (\`stack image pull ${ref}\`), or import or build it again, then ${action} it`,
    );
    this.name = 'ImageNotKeptError';
    this.ref = ref;
  }
}

/** A blob the image's manifest names is not in the store (a base layer stored before blobs were kept). */
export class BlobNotKeptError extends Error {
  readonly ref: string;
  readonly digest: string;
  constructor(ref: string, action: string, what: string, digest: string) {
    super(
      `cannot ${action} image ${ref}: its ${what} ${digest} is not kept in the store ` +
        '(its base image was pulled or imported before stack kept image blobs, or the blob was removed); ' +
        'pull or import the base image again, rebuild the image, then try again',
    );
    this.name = 'BlobNotKeptError';
    this.ref = ref;
    this.digest = digest;
  }
}

export interface KeptImage {
  info: ImageInfo;
  /** The manifest as kept: its bytes, digest and media type. */
  manifest: { mediaType: string; digest: string; size: number; bytes: Buffer };
  config: Descriptor & { size: number };
  layers: Array<Descriptor & { size: number }>;
}

/** The stored image `ref` with its manifest and blobs, all checked to be kept; `action` says why (push, save). */
export async function keptImage(ref: string, action: string): Promise<KeptImage> {
  const info = await findImage(ref);
  if (!info) throw new NoSuchImageError(ref);
  if (!info.manifest) throw new ImageNotKeptError(info.ref, action);
  const bytes = await fsp.readFile(paths.blobFile(info.manifest)).catch(() => undefined);
  if (!bytes || sha256(bytes) !== info.manifest)
    throw new BlobNotKeptError(info.ref, action, 'manifest', info.manifest);
  const doc = parseJson<Manifest>(bytes.toString('utf8'), `manifest ${info.manifest} of ${info.ref}`);
  const { config, layers } = checkManifest(doc, `manifest ${info.manifest} of ${info.ref}`);
  /** Each descriptor with the kept blob's size (which its own size, when given, must equal). */
  const kept = async (desc: Descriptor, what: string): Promise<Descriptor & { size: number }> => {
    const size = await keptBlobSize(desc.digest);
    if (size === undefined || (desc.size !== undefined && desc.size !== size))
      throw new BlobNotKeptError(info.ref, action, what, desc.digest);
    return { ...desc, size };
  };
  const configDesc = await kept(config, 'config');
  const layerDescs: Array<Descriptor & { size: number }> = [];
  for (const l of layers) layerDescs.push(await kept(l, 'layer'));
  const mediaType = doc.mediaType ?? OCI_MANIFEST;
  return {
    info,
    manifest: { mediaType, digest: info.manifest, size: bytes.length, bytes },
    config: configDesc,
    layers: layerDescs,
  };
}

/** An OCI manifest naming `config` and `layers`: its bytes and digest (kept with writeBlob). */
export function ociManifest(config: Descriptor, layers: Descriptor[]): { bytes: Buffer; digest: string } {
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  return { bytes, digest: sha256(bytes) };
}
