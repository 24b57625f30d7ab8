// The local image store under STACK_ROOT/images: unpacked layers keyed by digest (shared by
// every image and stack) and one ImageInfo JSON record per normalised reference.

import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ImageInfo } from '../model/observed.js';
import { normalizeImageRef } from '../model/image-ref.js';
import { paths } from '../store/paths.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';
import { randomHex } from '../store/random-hex.js';
import { isRecordedHealthcheck } from './image-healthcheck.js';
import { sendableSignal } from '../model/signals.js';

const SUFFIX = '.json';

function recordPath(normalisedRef: string): string {
  return path.join(paths.imageRefsDir(), encodeURIComponent(normalisedRef) + SUFFIX);
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}

function parseRecord(text: string, file: string): ImageInfo {
  let v: Partial<ImageInfo>;
  try {
    v = JSON.parse(text) as Partial<ImageInfo>;
  } catch (err) {
    throw new Error(`image record ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const ok =
    typeof v === 'object' &&
    v !== null &&
    typeof v.ref === 'string' &&
    typeof v.id === 'string' &&
    isStringArray(v.layers) &&
    isStringArray(v.env) &&
    (v.entrypoint === undefined || isStringArray(v.entrypoint)) &&
    (v.cmd === undefined || isStringArray(v.cmd)) &&
    (v.workingDir === undefined || typeof v.workingDir === 'string') &&
    (v.user === undefined || typeof v.user === 'string') &&
    (v.healthcheck === undefined || isRecordedHealthcheck(v.healthcheck)) &&
    (v.stopSignal === undefined ||
      (typeof v.stopSignal === 'string' && sendableSignal(v.stopSignal) === v.stopSignal)) &&
    (v.manifest === undefined || (typeof v.manifest === 'string' && /^sha256:[0-9a-f]{64}$/.test(v.manifest))) &&
    (v.platform === undefined || typeof v.platform === 'string');
  if (!ok) throw new Error(`image record ${file} is malformed (expected ref, id, layers, env)`);
  return v as ImageInfo;
}

/** Every image in the store, sorted by reference. */
export async function listImages(): Promise<ImageInfo[]> {
  let names: string[];
  try {
    names = await fs.readdir(paths.imageRefsDir());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const images: ImageInfo[] = [];
  for (const name of names.filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.')).sort()) {
    const file = path.join(paths.imageRefsDir(), name);
    try {
      images.push(parseRecord(await fs.readFile(file, 'utf8'), file));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
      throw err;
    }
  }
  return images.sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
}

/** The image recorded under `ref` (any spelling docker accepts), or undefined. */
export async function findImage(ref: string): Promise<ImageInfo | undefined> {
  const file = recordPath(normalizeImageRef(ref));
  try {
    // Blocking: a record of a few KB, where fs/promises takes four thread-pool round trips.
    return parseRecord(readFileSync(file, 'utf8'), file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * What the store holds of an image: when its record was last written (pulled, imported or
 * built; ms since the epoch) and its platform; undefined when it is not stored.
 */
export async function storedImage(ref: string): Promise<{ at: number; platform?: string } | undefined> {
  const file = recordPath(normalizeImageRef(ref));
  try {
    const [stat, info] = await Promise.all([fs.stat(file), fs.readFile(file, 'utf8')]);
    const platform = parseRecord(info, file).platform;
    return platform === undefined ? { at: stat.mtimeMs } : { at: stat.mtimeMs, platform };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Records `info` under its (normalised) ref, atomically: readers see the old or the new record. */
export async function saveImage(info: ImageInfo): Promise<ImageInfo> {
  const record: ImageInfo = { ...info, ref: normalizeImageRef(info.ref) };
  const dir = paths.imageRefsDir();
  await makePrivateDir(dir);
  const file = recordPath(record.ref);
  const tmp = path.join(dir, `.${encodeURIComponent(record.ref)}.${process.pid}.${randomHex(4)}.tmp`);
  try {
    await fs.writeFile(tmp, JSON.stringify(record, null, 2) + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  return record;
}

/** Removes the record for `ref`; true when there was one. Layers stay (other images may share them). */
export async function removeImage(ref: string): Promise<boolean> {
  try {
    await fs.unlink(recordPath(normalizeImageRef(ref)));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** True when the layer with this digest is unpacked in the store. */
export async function hasLayer(digest: string): Promise<boolean> {
  try {
    return (await fs.lstat(paths.layerDir(digest))).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}
