// The build cache: a step's key (cache-key.ts) → what the step produced, so an equal step of
// any later build, of any stack on the host, is taken instead of run. An entry holds the
// layer's digest and diff_id (none for a step that changed no file) and the image config's
// history line; it is only used while its layer is still in the store (`image prune` may
// have removed it), so an entry never needs to be invalidated by hand.

import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../../store/paths.js';

export interface CachedStep {
  layer?: { digest: string; diffId: string; size?: number };
  /** When the step first ran (the image history's time for it). */
  created?: string;
}

function entryFile(key: string): string {
  return path.join(paths.imagesDir(), 'build-cache', createHash('sha256').update(key).digest('hex') + '.json');
}

/**
 * Entries this process is writing, by file: a build writes a step's entry while it goes on
 * (pending-work.ts), and a later step with the same key (another stage, another service's
 * build) takes it from here until it has landed.
 */
const writing = new Map<string, CachedStep>();

/**
 * Synchronous calls: an entry is a few hundred bytes and a lookup is made for every step of
 * every build, where a read through the thread pool (open, stat, read, close, then the
 * layer's lstat) waited on the event loop five times.
 */
export async function cachedStep(key: string): Promise<CachedStep | undefined> {
  const file = entryFile(key);
  const inFlight = writing.get(file);
  if (inFlight) return inFlight;
  let entry: CachedStep;
  try {
    entry = JSON.parse(fs.readFileSync(file, 'utf8')) as CachedStep;
  } catch {
    return undefined; // absent or unreadable: the step runs again and writes a new entry
  }
  if (entry.layer !== undefined) {
    const ok =
      typeof entry.layer.digest === 'string' &&
      typeof entry.layer.diffId === 'string' &&
      /^sha256:[0-9a-f]{64}$/.test(entry.layer.digest) &&
      layerStored(entry.layer.digest);
    if (!ok) return undefined;
  }
  return entry;
}

/** As image-store.ts's hasLayer, without the thread pool. */
function layerStored(digest: string): boolean {
  return fs.lstatSync(paths.layerDir(digest), { throwIfNoEntry: false })?.isDirectory() ?? false;
}

export async function cacheStep(key: string, entry: CachedStep): Promise<void> {
  const file = entryFile(key);
  writing.set(file, entry);
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await fsp.writeFile(tmp, JSON.stringify(entry) + '\n', { mode: 0o600 });
    await fsp.rename(tmp, file);
  } finally {
    if (writing.get(file) === entry) writing.delete(file);
  }
}
