// The image formats stack reads, whether from a registry or from a file: OCI image indexes
// and manifests, Docker v2 schema 2 manifests and manifest lists, and image configs. Shared
// by `image pull` and `image import` so both accept and check exactly the same things.

import { createHash } from 'node:crypto';
import type { ImageInfo } from '../model/observed.js';
import { ImageFormatError } from './image-format-error.js';
import { imageHealthcheck, type DockerHealthcheck } from './image-healthcheck.js';
import { sendableSignal } from '../model/signals.js';

export { ImageFormatError };

export class BlobDigestError extends ImageFormatError {
  readonly digest: string;
  readonly actual: string;
  constructor(what: string, digest: string, actual: string) {
    super(
      `${what} does not match its digest: expected ${digest}, got ${actual} (tampered or corrupt); nothing was stored`,
    );
    this.name = 'BlobDigestError';
    this.digest = digest;
    this.actual = actual;
  }
}

export const INDEX_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];
export const LAYER_TYPES = [
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
];

const HOST_ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
};

export interface Platform {
  os?: string;
  architecture?: string;
  variant?: string;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  annotations?: Record<string, string>;
  platform?: Platform;
}
export interface Index {
  mediaType?: string;
  manifests?: Descriptor[];
}
export interface Manifest {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
}
export interface ImageConfig {
  config?: {
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Healthcheck?: DockerHealthcheck | null;
    StopSignal?: string;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
  os?: string;
  architecture?: string;
  variant?: string;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Throws unless `digest` is a well-formed sha256 digest (the only algorithm stack stores). */
export function checkDigest(digest: unknown): string {
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new ImageFormatError(`unsupported or malformed digest ${JSON.stringify(digest)} (sha256 only)`);
  }
  return digest;
}

/** Checks a whole small blob (manifest, index, config) against its descriptor, then parses it. */
export function verifiedJson<T>(data: Buffer, desc: Descriptor, what: string): T {
  const actual = sha256(data);
  if (actual !== checkDigest(desc.digest)) throw new BlobDigestError(what, desc.digest, actual);
  if (desc.size !== undefined && data.length !== desc.size) {
    throw new ImageFormatError(`${what} is ${data.length} bytes, its descriptor says ${desc.size}`);
  }
  return parseJson<T>(data.toString('utf8'), what);
}

export function parseJson<T>(text: string, what: string): T {
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ImageFormatError(`${what} is not valid JSON: ${(err as Error).message}`);
  }
}

/** True when a document of this media type (or, lacking one, with this shape) lists manifests. */
export function isIndex(mediaType: string | undefined, doc?: Index & Manifest): boolean {
  if (mediaType !== undefined && INDEX_TYPES.includes(mediaType)) return true;
  return mediaType === undefined && doc !== undefined && Array.isArray(doc.manifests) && doc.config === undefined;
}

/** `linux/arm64/v8` → Platform; undefined → the host's own (linux/amd64 here). */
export function parsePlatform(spec: string | undefined): Required<Pick<Platform, 'os' | 'architecture'>> & Platform {
  if (spec === undefined || spec === '') return { os: 'linux', architecture: HOST_ARCH[process.arch] ?? process.arch };
  const [os, architecture, variant] = spec.split('/');
  if (!os || !architecture)
    throw new ImageFormatError(`platform ${JSON.stringify(spec)} is not of the form os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

const platformText = (p: Platform) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

/** The index entry for `platform` (os and architecture must match; a variant, when asked for, too). */
export function pickPlatform(index: Index, platform: string | undefined, what: string): Descriptor {
  const want = parsePlatform(platform);
  const all = (index.manifests ?? []).filter((m) => m.platform !== undefined);
  const found = all.find(
    (m) =>
      m.platform!.os === want.os &&
      m.platform!.architecture === want.architecture &&
      (want.variant === undefined || m.platform!.variant === want.variant),
  );
  if (!found) {
    const has = all.map((m) => platformText(m.platform!)).join(', ') || 'none';
    throw new ImageFormatError(
      `${what} has no manifest for ${platformText(want)} (it has: ${has}); set \`platform:\` to one of those`,
    );
  }
  return found;
}

/** Checks a manifest's shape and media types; returns its config and layer descriptors. */
export function checkManifest(manifest: Manifest, what: string): { config: Descriptor; layers: Descriptor[] } {
  if (manifest.mediaType !== undefined && !MANIFEST_TYPES.includes(manifest.mediaType)) {
    throw new ImageFormatError(`${what} has unsupported media type ${manifest.mediaType}`);
  }
  if (!manifest.config?.digest || !Array.isArray(manifest.layers))
    throw new ImageFormatError(`${what} lacks a config or layers`);
  checkDigest(manifest.config.digest);
  for (const layer of manifest.layers) {
    checkDigest(layer.digest);
    if (layer.mediaType !== undefined && !LAYER_TYPES.includes(layer.mediaType)) {
      throw new ImageFormatError(
        `layer ${layer.digest} has unsupported media type ${layer.mediaType} (tar, tar+gzip and tar+zstd only)`,
      );
    }
  }
  return { config: manifest.config, layers: manifest.layers };
}

/** The config's diff_ids, one per layer (the digest of each layer's uncompressed tar). */
export function diffIds(config: ImageConfig, layerCount: number, what: string): string[] {
  const ids = config.rootfs?.diff_ids;
  if (!Array.isArray(ids) || ids.length !== layerCount) {
    throw new ImageFormatError(
      `${what}: rootfs.diff_ids lists ${Array.isArray(ids) ? ids.length : 'no'} layers, the manifest ${layerCount}`,
    );
  }
  return ids.map(checkDigest);
}

/** The store record of an image from its config and layer digests. */
export function imageInfo(ref: string, configDigest: string, layers: string[], config: ImageConfig): ImageInfo {
  const c = config.config ?? {};
  const info: ImageInfo = { ref, id: configDigest, layers, env: c.Env ?? [] };
  if (c.Entrypoint) info.entrypoint = c.Entrypoint;
  if (c.Cmd) info.cmd = c.Cmd;
  if (c.WorkingDir) info.workingDir = c.WorkingDir;
  if (c.User) info.user = c.User;
  const healthcheck = imageHealthcheck(c.Healthcheck, `config ${configDigest} of ${ref}`);
  if (healthcheck) info.healthcheck = healthcheck;
  if (c.StopSignal !== undefined && c.StopSignal !== '')
    info.stopSignal = imageStopSignal(c.StopSignal, `config ${configDigest} of ${ref}`);
  if (config.os && config.architecture) info.platform = platformText(config as Platform);
  return info;
}

/** docker refuses to create a container from an image whose StopSignal is no signal; stack refuses the image. */
function imageStopSignal(raw: unknown, what: string): string {
  const signal = typeof raw === 'string' ? sendableSignal(raw) : undefined;
  if (signal === undefined)
    throw new ImageFormatError(
      `${what}: config.StopSignal ${JSON.stringify(raw)} is not a signal (a name such as SIGINT or a number from 1 to 64)`,
    );
  return signal;
}
