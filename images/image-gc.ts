// `stack image rm` and `stack image prune`. What is in use is read from the state records
// of every stack under STACK_ROOT (a container record names its image and layers, whether
// or not the stack's file or supervisor still exists), plus the layers that running pulls
// and imports hold. Layers go away by rename first, so no half layer keeps its name. Kept
// blobs and the build cache follow the layers (blob-gc.ts).

import fs from 'node:fs/promises';
import path from 'node:path';
import { normalizeImageRef } from '../model/image-ref.js';
import { paths } from '../store/paths.js';
import { readState } from '../store/state-store.js';
import { blobTmpDir } from './blob-download.js';
import { buildRunning, manifestBlobs, pruneBlobs, pruneBuildCache, pruneCacheMounts } from './blob-gc.js';
import { listImages, removeImage } from './image-store.js';
import { heldLayers } from './layer-holds.js';
import { isAlive } from '../store/pid-alive.js';
import { forgetDiffId } from './layer-store.js';
import { isDeadPartial, PARTIAL_MARK, partialName } from './partial-mark.js';
import { forgetShortLayerLink } from './short-layer-links.js';
import { forgetLayerShadows, removeDeadAsides } from './layer-shadows.js';

export class ImageInUseError extends Error {
  constructor(ref: string, users: string[]) {
    super(`image ${ref} is used by ${users.join(', ')}; remove those containers first (stack down), or force with -f`);
    this.name = 'ImageInUseError';
  }
}

export class NoSuchImageError extends Error {
  constructor(ref: string) {
    super(`no image ${ref} in the store (see \`stack image ls\`)`);
    this.name = 'NoSuchImageError';
  }
}

interface Usage {
  /** image ref → `project/container` names using it */
  refs: Map<string, string[]>;
  layers: Set<string>;
}

/** What every stack's container records use. */
async function usage(): Promise<Usage> {
  const refs = new Map<string, string[]>();
  const layers = new Set<string>();
  for (const project of await readState.projects()) {
    for (const record of await readState.containers(project)) {
      const image = record.spec?.image;
      if (!image) continue;
      refs.set(image.ref, [...(refs.get(image.ref) ?? []), `${project}/${record.spec.name}`]);
      for (const l of image.layers ?? []) layers.add(l);
      // An image mounted with `type: image` is in use too.
      for (const m of record.spec.mounts ?? []) {
        if (m.type !== 'image' || !m.image) continue;
        refs.set(m.source, [...(refs.get(m.source) ?? []), `${project}/${record.spec.name}`]);
        for (const l of m.image.layers) layers.add(l);
      }
    }
  }
  return { refs, layers };
}

/** Removes the image records of `refs` (all checked before any is removed). */
export async function removeImages(refs: string[], force: boolean): Promise<string[]> {
  const inUse = force ? undefined : await usage();
  const known = new Set((await listImages()).map((i) => i.ref));
  const normalised = refs.map((r) => normalizeImageRef(r));
  for (const ref of normalised) {
    if (!known.has(ref)) throw new NoSuchImageError(ref);
    const users = inUse?.refs.get(ref);
    if (users) throw new ImageInUseError(ref, users);
  }
  for (const ref of normalised) await removeImage(ref);
  return normalised;
}

export interface PruneResult {
  images: string[];
  layers: string[];
  /** Kept blobs (compressed layers, configs, manifests) no image names any more. */
  blobs: string[];
  /** Build-cache entries removed: those whose layer is gone, or all with `all`. */
  cacheEntries: number;
  /** RUN cache mounts removed (only with `all`). */
  cacheMounts: number;
  /** True when a build was running, so blobs, the build cache and cache mounts were left alone. */
  buildRunning: boolean;
  /** Leftovers of interrupted pulls and unpacks that were removed. */
  leftovers: number;
}

export interface PruneOptions {
  /** Also the whole build cache and the cache mounts (`docker builder prune --all`). */
  all?: boolean;
}

/** Removes images no stack uses, then layers no image, container or running pull uses, then blobs and cache. */
export async function pruneImages(opts: PruneOptions = {}): Promise<PruneResult> {
  const used = await usage();
  const result: PruneResult = {
    images: [],
    layers: [],
    blobs: [],
    cacheEntries: 0,
    cacheMounts: 0,
    buildRunning: false,
    leftovers: 0,
  };
  const kept = new Set<string>(used.layers);
  for (const image of await listImages()) {
    if (used.refs.has(image.ref)) image.layers.forEach((l) => kept.add(l));
    else if (await removeImage(image.ref)) result.images.push(image.ref);
  }
  for (const l of await heldLayers()) kept.add(l);
  for (const image of await listImages()) image.layers.forEach((l) => kept.add(l)); // recorded meanwhile

  const building = await buildRunning();
  const layersDir = path.join(paths.imagesDir(), 'layers');
  for (const name of await fs.readdir(layersDir).catch(() => [] as string[])) {
    if (name.includes(PARTIAL_MARK)) {
      // `<hex>.partial-PID-RAND`: an unpack in progress, or left by one that died.
      if (!isDeadPartial(name)) continue;
      await fs.rm(path.join(layersDir, name), { recursive: true, force: true });
      result.leftovers++;
      continue;
    }
    // A running build's layers are in no image yet: while one runs, no layer goes.
    if (!/^[0-9a-f]{64}$/.test(name) || kept.has(`sha256:${name}`) || building) continue;
    const doomed = partialName(path.join(layersDir, name));
    await fs.rename(path.join(layersDir, name), doomed);
    await fs.rm(doomed, { recursive: true, force: true });
    await forgetDiffId(`sha256:${name}`);
    await forgetShortLayerLink(`sha256:${name}`);
    await forgetLayerShadows(`sha256:${name}`);
    result.layers.push(`sha256:${name}`);
  }
  result.leftovers += await pruneTmp();
  // Shadows of kept layers whose build was killed, which no later build of theirs removed.
  result.leftovers += await removeDeadAsides();
  await pruneKept(result, kept, opts);
  return result;
}

async function pruneKept(result: PruneResult, keptLayers: Set<string>, opts: PruneOptions): Promise<void> {
  if (await buildRunning()) {
    result.buildRunning = true;
    return;
  }
  const kept = new Set<string>(keptLayers);
  for (const d of await heldLayers()) kept.add(d); // a pull's config and manifest too
  for (const image of await listImages()) for (const d of await manifestBlobs(image)) kept.add(d);
  result.blobs = await pruneBlobs(kept);
  result.cacheEntries = await pruneBuildCache(!!opts.all);
  if (opts.all) result.cacheMounts = await pruneCacheMounts();
}

/** Partial downloads whose pull is gone (no lock held by a live process), folders of dead archive imports. */
async function pruneTmp(): Promise<number> {
  const dir = blobTmpDir();
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names.filter((n) => n.endsWith('.partial'))) {
    const lock = path.join(dir, name.replace(/\.partial$/, '.lock'));
    const pid = Number(await fs.readFile(lock, 'utf8').catch(() => ''));
    if (pid > 0 && isAlive(pid)) continue;
    await fs.rm(path.join(dir, name), { force: true });
    await fs.rm(lock, { force: true });
    removed++;
  }
  for (const name of names.filter((n) => n.startsWith('import-'))) {
    if (isAlive(Number(name.split('-')[1]))) continue; // an archive import still reading it
    await fs.rm(path.join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
