// A built image as the store keeps it: the OCI image config (the stage's config, rootfs
// diff_ids, history) and an OCI manifest naming it and every compressed layer, both written
// as blobs beside the layers' blobs, then an ImageInfo record under each tag — the same
// record a pull writes, so `up` runs a built image exactly as a pulled one.

import fsp from 'node:fs/promises';
import type { ImageInfo } from '../../model/observed.js';
import { paths } from '../../store/paths.js';
import { saveImage } from '../image-store.js';
import { imageInfo, parsePlatform, sha256, type ImageConfig as OciConfig } from '../manifest.js';
import type { ImageConfig } from './build-plan.js';
import { writeBlob } from '../blob-store.js';

export interface ImageLayer {
  digest: string;
  diffId: string;
  /** Size of the compressed blob; undefined when the blob is not kept (a base layer imported before blobs were kept). */
  size?: number;
}

export interface HistoryEntry {
  created?: string;
  created_by: string;
  empty_layer?: boolean;
  comment?: string;
}

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

/** The config JSON's `config` object, in docker's spelling (empty fields left out as docker does). */
export function ociConfig(c: ImageConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.user) out.User = c.user;
  if (Object.keys(c.exposedPorts).length > 0) out.ExposedPorts = c.exposedPorts;
  out.Env = c.env;
  if (c.entrypoint) out.Entrypoint = c.entrypoint;
  if (c.cmd) out.Cmd = c.cmd;
  if (Object.keys(c.volumes).length > 0) out.Volumes = c.volumes;
  out.WorkingDir = c.workingDir ?? '';
  if (Object.keys(c.labels).length > 0) out.Labels = c.labels;
  if (c.stopSignal) out.StopSignal = c.stopSignal;
  if (c.onBuild && c.onBuild.length > 0) out.OnBuild = c.onBuild;
  if (c.shell) out.Shell = c.shell;
  if (c.healthcheck) {
    const h = c.healthcheck;
    out.Healthcheck = {
      Test: h.test,
      ...(h.interval !== undefined ? { Interval: h.interval } : {}),
      ...(h.timeout !== undefined ? { Timeout: h.timeout } : {}),
      ...(h.startPeriod !== undefined ? { StartPeriod: h.startPeriod } : {}),
      ...(h.startInterval !== undefined ? { StartInterval: h.startInterval } : {}),
      ...(h.retries !== undefined ? { Retries: h.retries } : {}),
    };
  }
  return out;
}

/** Writes config and manifest blobs and records the image under every tag; returns the first tag's record. */
export async function writeImage(
  tags: string[],
  config: ImageConfig,
  layers: ImageLayer[],
  history: HistoryEntry[],
): Promise<ImageInfo> {
  const platform = parsePlatform(undefined);
  // The newest step's time, not now: rebuilding from the cache gives the same config, so the same id.
  const created =
    history.reduce<string | undefined>((t, h) => (h.created && (!t || h.created > t) ? h.created : t), undefined) ??
    new Date(0).toISOString();
  const configDoc = {
    created,
    architecture: platform.architecture,
    os: platform.os,
    config: ociConfig(config),
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: history.map((h) => ({ created, ...h })),
    ...(config.author ? { author: config.author } : {}),
  };
  const configBytes = Buffer.from(JSON.stringify(configDoc));
  const configDigest = sha256(configBytes);
  await writeBlob(configBytes, configDigest);
  const sizes = await Promise.all(layers.map((l) => l.size ?? blobSize(l.digest)));
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length },
    layers: layers.map((l, i) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: sizes[i] })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = sha256(manifestBytes);
  await writeBlob(manifestBytes, manifestDigest);
  const parsed = JSON.parse(configBytes.toString('utf8')) as OciConfig;
  let first: ImageInfo | undefined;
  for (const tag of tags) {
    const info = imageInfo(
      tag,
      configDigest,
      layers.map((l) => l.digest),
      parsed,
    );
    const saved = await saveImage({ ...info, manifest: manifestDigest });
    first ??= saved;
  }
  return first!;
}

/** A kept blob's size; 0 when the blob is not kept (push and save then say so). */
async function blobSize(digest: string): Promise<number> {
  try {
    return (await fsp.stat(paths.blobFile(digest))).size;
  } catch {
    return 0;
  }
}
