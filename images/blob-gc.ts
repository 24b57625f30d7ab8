// `image prune`'s part for what builds and kept blobs leave: blobs no image's manifest names
// (and no stored layer or running pull is), build-cache entries whose layer is gone, and
// with --all the whole build cache and RUN's cache mounts. What `docker builder prune`
// does, nearest: without -a it removes "dangling" cache (here: entries that can no longer
// be used), with -a "all unused build cache" (here: every entry and every cache mount).
// While a build runs nothing of this is touched: its config, manifest and cache mounts are
// not yet named by any record.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../store/paths.js';
import { blobsDir } from './blob-store.js';
import { blobTmpDir } from './blob-download.js';
import { hasLayer } from './image-store.js';
import { isAlive } from '../store/pid-alive.js';
import type { ImageInfo } from '../model/observed.js';
import type { Manifest } from './manifest.js';

const DIGEST_HEX = /^[0-9a-f]{64}$/;

/** The digests an image's kept manifest names (itself, its config, its layers). */
export async function manifestBlobs(info: ImageInfo): Promise<string[]> {
  if (!info.manifest) return [];
  try {
    const doc = JSON.parse(await fsp.readFile(paths.blobFile(info.manifest), 'utf8')) as Manifest;
    const named = [doc.config?.digest, ...(doc.layers ?? []).map((l) => l.digest)];
    return [info.manifest, ...named.filter((d): d is string => typeof d === 'string')];
  } catch {
    return [info.manifest];
  }
}

/** True while a build of any process runs (its folder images/tmp/build-PID-ID exists and PID lives). */
export async function buildRunning(): Promise<boolean> {
  const names = await fsp.readdir(blobTmpDir()).catch(() => [] as string[]);
  return names.some((n) => n.startsWith('build-') && isAlive(Number(n.split('-')[1])));
}

/** Removes blobs not in `kept` and not the blob of a stored layer, and writers' leftovers; returns the digests removed. */
export async function pruneBlobs(kept: Set<string>): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fsp.readdir(blobsDir()).catch(() => [] as string[])) {
    const file = path.join(blobsDir(), name);
    if (!DIGEST_HEX.test(name)) {
      // `<hex>.<pid>.<rand>.tmp`: a blob being written, or left by a writer that died.
      const pid = Number(name.split('.')[1]);
      if (name.endsWith('.tmp') && !isAlive(pid)) await fsp.rm(file, { force: true });
      continue;
    }
    const digest = `sha256:${name}`;
    // A stored layer keeps its blob: a build that reuses it from the cache names it in a new manifest.
    if (kept.has(digest) || (await hasLayer(digest))) continue;
    await fsp.rm(file, { force: true });
    removed.push(digest);
  }
  return removed;
}

const cacheDir = () => path.join(paths.imagesDir(), 'build-cache');

/** Removes build-cache entries whose layer is gone or that cannot be read (every one with `all`); returns the count. */
export async function pruneBuildCache(all: boolean): Promise<number> {
  let removed = 0;
  for (const name of await fsp.readdir(cacheDir()).catch(() => [] as string[])) {
    const file = path.join(cacheDir(), name);
    if (!all && name.endsWith('.json') && (await usable(file))) continue;
    await fsp.rm(file, { force: true });
    removed++;
  }
  return removed;
}

async function usable(file: string): Promise<boolean> {
  try {
    const entry = JSON.parse(await fsp.readFile(file, 'utf8')) as { layer?: { digest?: unknown } } | null;
    if (typeof entry !== 'object' || entry === null) return false;
    if (entry.layer === undefined) return true; // a step that changed no file: nothing to lose
    const digest = entry.layer.digest;
    return typeof digest === 'string' && /^sha256:[0-9a-f]{64}$/.test(digest) && (await hasLayer(digest));
  } catch {
    return false; // unreadable: the builder ignores it too
  }
}

/** Removes every cache mount folder (RUN --mount=type=cache); returns the count. */
export async function pruneCacheMounts(): Promise<number> {
  const dir = path.join(paths.imagesDir(), 'cache-mounts');
  const names = await fsp.readdir(dir).catch(() => [] as string[]);
  for (const name of names) await fsp.rm(path.join(dir, name), { recursive: true, force: true });
  return names.length;
}
