// The volume store: STACK_ROOT/volumes/<name>/_data is the directory containers mount,
// <name>/volume.json says which stack made it (so `down -v` finds its volumes from the
// store alone, as compose does with labels). Volumes outlive `down`; external ones are
// never created or removed by a stack.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { ObservedVolume } from '../../../planner/observed.js';
import type { Host } from '../../host.js';
import { paths } from './paths.js';
import { readJson, writeJsonAtomic } from './json-file.js';

interface VolumeRecord {
  name: string;
  project?: string;
  anonymous: boolean;
  createdAt: string;
}

/** A volume that cannot be used or made; the message names it and says what to do. */
export class VolumeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VolumeError';
  }
}

/** Docker's rule for volume names; it also keeps a name from walking out of the store. */
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

function dirOf(name: string): string {
  if (!NAME.test(name)) throw new VolumeError(`"${name}" is not a valid volume name (letters, digits, _ . -, starting with a letter or digit)`);
  return path.join(paths.volumesDir(), name);
}

export function volumeDataDir(name: string): string {
  return path.join(dirOf(name), '_data');
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

/**
 * Makes the volume if it does not exist yet (idempotent) and returns its data directory.
 * An external volume must exist already.
 */
export async function ensureVolume(name: string, owner: { project?: string; anonymous?: boolean; external?: boolean }): Promise<string> {
  const data = volumeDataDir(name);
  if (await exists(data)) return data;
  if (owner.external) throw new VolumeError(`external volume ${name} does not exist; create it with \`stack volume create ${name}\``);
  await fs.mkdir(data, { recursive: true });
  const record: VolumeRecord = { name, ...(owner.project ? { project: owner.project } : {}), anonymous: !!owner.anonymous, createdAt: new Date().toISOString() };
  const file = path.join(dirOf(name), 'volume.json');
  if (!(await exists(file))) await writeJsonAtomic(file, record);
  return data;
}

export async function listVolumes(): Promise<ObservedVolume[]> {
  let names: string[];
  try {
    names = (await fs.readdir(paths.volumesDir())).filter((n) => NAME.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return Promise.all(names.map(async (name) => {
    const record = await readJson<VolumeRecord>(path.join(dirOf(name), 'volume.json')).catch(() => undefined);
    return { name, ...(record?.project ? { project: record.project } : {}), anonymous: record?.anonymous ?? false };
  }));
}

export async function removeVolume(name: string): Promise<void> {
  await fs.rm(dirOf(name), { recursive: true, force: true });
}

export function createLinuxVolumes(): import('../../host.js').Host['volumes'] {
  return { remove: removeVolume };
}
