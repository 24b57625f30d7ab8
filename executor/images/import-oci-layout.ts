// `stack image import DIR`: an OCI image layout folder (index.json + blobs/sha256/…) into
// the local store. Every blob read is checked against its digest before anything is stored.

import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImageInfo } from '../../planner/observed.js';
import { normalizeImageRef } from '../../planner/image-ref.js';
import { paths } from '../host/linux/paths.js';
import { hasLayer, saveImage } from './image-store.js';
import { unpackLayer } from './unpack-layer.js';

export class ImageImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageImportError';
  }
}

export class BlobDigestError extends ImageImportError {
  readonly digest: string;
  readonly actual: string;
  constructor(file: string, digest: string, actual: string) {
    super(`blob ${file} does not match its digest: expected ${digest}, got ${actual} (tampered or corrupt)`);
    this.name = 'BlobDigestError';
    this.digest = digest;
    this.actual = actual;
  }
}

const REF_NAME = 'org.opencontainers.image.ref.name';
const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const MANIFEST_TYPES = ['application/vnd.oci.image.manifest.v1+json', 'application/vnd.docker.distribution.manifest.v2+json'];
const LAYER_TYPES = [
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
];
const HOST_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}
interface Index { manifests?: Descriptor[] }
interface Manifest { mediaType?: string; config?: Descriptor; layers?: Descriptor[] }
interface ImageConfig {
  config?: { Entrypoint?: string[] | null; Cmd?: string[] | null; Env?: string[] | null; WorkingDir?: string; User?: string };
}

export interface ImportOptions {
  /** Reference to record the image under; also picks the manifest whose ref name matches. */
  tag?: string;
}

/** Imports the OCI image layout at `dir`; returns the stored record. */
export async function importOciLayout(dir: string, opts: ImportOptions = {}): Promise<ImageInfo> {
  const index = await readJson<Index>(path.join(dir, 'index.json'), 'index.json');
  const chosen = pickManifest(index.manifests ?? [], opts.tag);
  const rawName = opts.tag ?? chosen.annotations?.[REF_NAME];
  if (rawName === undefined) throw new ImageImportError(`${dir}: the image has no ${REF_NAME} annotation; give it a name with --tag`);
  const ref = normalizeImageRef(rawName);

  let desc = chosen;
  if (desc.mediaType !== undefined && INDEX_TYPES.includes(desc.mediaType)) {
    desc = pickPlatform(await readBlobJson<Index>(dir, desc), desc.digest);
  }
  const manifest = await readBlobJson<Manifest>(dir, desc);
  if (manifest.mediaType !== undefined && !MANIFEST_TYPES.includes(manifest.mediaType)) {
    throw new ImageImportError(`manifest ${desc.digest} has unsupported media type ${manifest.mediaType}`);
  }
  if (!manifest.config?.digest || !Array.isArray(manifest.layers)) {
    throw new ImageImportError(`manifest ${desc.digest} lacks a config or layers`);
  }
  const config = await readBlobJson<ImageConfig>(dir, manifest.config);
  for (const layer of manifest.layers) {
    if (layer.mediaType !== undefined && !LAYER_TYPES.includes(layer.mediaType)) {
      throw new ImageImportError(`layer ${layer.digest} has unsupported media type ${layer.mediaType} (tar and tar+gzip only)`);
    }
  }
  // Verify every layer we will read before storing anything.
  const missing: Descriptor[] = [];
  for (const layer of manifest.layers) {
    if (await hasLayer(checkDigest(layer.digest))) continue;
    await verifyFile(blobPath(dir, layer.digest), layer);
    missing.push(layer);
  }
  for (const layer of missing) {
    if (!(await hasLayer(layer.digest))) await unpackLayer(blobPath(dir, layer.digest), paths.layerDir(layer.digest));
  }

  const c = config.config ?? {};
  const info: ImageInfo = {
    ref,
    id: manifest.config.digest,
    layers: manifest.layers.map((l) => l.digest),
    env: c.Env ?? [],
  };
  if (c.Entrypoint) info.entrypoint = c.Entrypoint;
  if (c.Cmd) info.cmd = c.Cmd;
  if (c.WorkingDir) info.workingDir = c.WorkingDir;
  if (c.User) info.user = c.User;
  return saveImage(info);
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

function pickPlatform(index: Index, digest: string): Descriptor {
  const arch = HOST_ARCH[process.arch] ?? process.arch;
  const found = (index.manifests ?? []).find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch);
  if (!found) throw new ImageImportError(`image index ${digest} has no manifest for linux/${arch}`);
  return found;
}

function checkDigest(digest: string): string {
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new ImageImportError(`unsupported or malformed digest ${JSON.stringify(digest)} (sha256 only)`);
  }
  return digest;
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

function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ImageImportError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads a small blob (manifest, config, index) and checks size and sha256 first. */
async function readBlobJson<T>(dir: string, desc: Descriptor): Promise<T> {
  const file = blobPath(dir, desc.digest);
  const data = await fs.readFile(file).catch((err: Error) => {
    throw new ImageImportError(`blob ${desc.digest} is missing: ${err.message}`);
  });
  const actual = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  if (actual !== desc.digest) throw new BlobDigestError(file, desc.digest, actual);
  if (desc.size !== undefined && data.length !== desc.size) {
    throw new ImageImportError(`blob ${desc.digest} is ${data.length} bytes, the descriptor says ${desc.size}`);
  }
  return parseJson<T>(data.toString('utf8'), `blob ${desc.digest}`);
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
  if (actual !== desc.digest) throw new BlobDigestError(file, desc.digest, actual);
  if (desc.size !== undefined && size !== desc.size) {
    throw new ImageImportError(`blob ${desc.digest} is ${size} bytes, the descriptor says ${desc.size}`);
  }
}
