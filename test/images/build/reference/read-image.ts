// Reads a built image into its comparable form (tree + config) from where each builder
// leaves it: a reference build saved by `podman save --format docker-dir` (manifest.json
// and blobs named by hex), or stack's store (the kept blobs ImageInfo.manifest names, and
// the unpacked layers in overlay form).

import fs from 'node:fs';
import path from 'node:path';
import { openDecompressed, sniffCompression } from '../../../../images/decompress.js';
import type { ImageInfo } from '../../../../model/observed.js';
import { paths } from '../../../../store/paths.js';
import type { ComparableImage } from './compare-images.js';
import { comparableConfig } from './image-config.js';
import { applyChanges, readLayerTar, treeFromLayerTars, type ImageTree } from './image-tree.js';
import { readLayerDir, treeFromOverlayLayers } from './overlay-tree.js';

interface Manifest {
  config: { digest: string };
  layers: { digest: string }[];
}

/** An image from its manifest, each blob found by `blobFile(digest)`; layers may be plain, gzip or zstd. */
export async function readManifestImage(
  manifest: Manifest,
  blobFile: (digest: string) => string,
): Promise<ComparableImage> {
  const config = JSON.parse(fs.readFileSync(blobFile(manifest.config.digest), 'utf8')) as {
    config?: Record<string, unknown>;
  };
  const opens = [];
  for (const layer of manifest.layers) {
    const file = blobFile(layer.digest);
    const compression = await sniffCompression(file);
    opens.push(() => openDecompressed(file, compression));
  }
  return { tree: await treeFromLayerTars(opens), config: comparableConfig(config) };
}

/** `dir`: what `podman save --format docker-dir -o dir` wrote. */
export function readDockerDir(dir: string): Promise<ComparableImage> {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  return readManifestImage(manifest, (d) => path.join(dir, d.slice('sha256:'.length)));
}

/** An OCI layout folder with one image (the base images the tests make). */
export function readOciLayout(dir: string): Promise<ComparableImage> {
  const blob = (d: string) => path.join(dir, 'blobs', 'sha256', d.slice('sha256:'.length));
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  return readManifestImage(JSON.parse(fs.readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as Manifest, blob);
}

/**
 * A built image in stack's store, its layers read from the blobs it keeps for push; a layer
 * whose blob is not kept (one of a pulled base image) is read from its unpacked folder.
 * STACK_ROOT must be set.
 */
export async function readStoreBlobs(info: ImageInfo): Promise<ComparableImage & { missingBlobs: string[] }> {
  if (!info.manifest) throw new Error(`image ${info.ref} keeps no manifest (ImageInfo.manifest is absent)`);
  const manifest = JSON.parse(fs.readFileSync(paths.blobFile(info.manifest), 'utf8')) as Manifest;
  const config = JSON.parse(fs.readFileSync(paths.blobFile(manifest.config.digest), 'utf8')) as {
    config?: Record<string, unknown>;
  };
  const missingBlobs = manifest.layers.map((l) => l.digest).filter((d) => !fs.existsSync(paths.blobFile(d)));
  const tree: ImageTree = new Map();
  for (const [i, layer] of manifest.layers.entries()) {
    const file = paths.blobFile(layer.digest);
    if (missingBlobs.includes(layer.digest)) applyChanges(tree, await readLayerDir(paths.layerDir(info.layers[i]!)));
    else applyChanges(tree, await readLayerTar(openDecompressed(file, await sniffCompression(file))));
  }
  return { tree, config: comparableConfig(config), missingBlobs };
}

/** The same image from its unpacked layers alone. */
export async function readStoreLayers(info: ImageInfo): Promise<ComparableImage> {
  const fromBlobs = await readStoreBlobs(info);
  return { tree: await treeFromOverlayLayers(info.layers.map((l) => paths.layerDir(l))), config: fromBlobs.config };
}
