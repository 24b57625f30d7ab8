// The volume store: STACK_ROOT/volumes/<name>/_data is the directory containers mount,
// <name>/volume.json says which stack made it (so `down -v` finds its volumes from the
// store alone, as compose does with labels). A bind-backed volume (driver_opts device)
// keeps its data in that host folder instead, which its record names; removing the volume
// leaves the folder alone, as docker does. Volumes outlive `down`; external ones are never
// created or removed by a stack.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { ObservedVolume } from '../model/observed.js';
import type { VolumeConfig } from '../model/types.js';
import type { Host } from '../executor/host.js';
import { paths } from './paths.js';
import { readJson, writeJsonAtomic } from './json-file.js';
import { makePrivateDir } from './private-files.js';

interface VolumeRecord {
  name: string;
  project?: string;
  anonymous: boolean;
  createdAt: string;
  /** The host folder that keeps its data (no `_data` then). */
  device?: string;
  /** What the file made it from and its volumeHash(); absent for volumes made before stack kept them, or by `stack volume create`. */
  config?: VolumeConfig;
  hash?: string;
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
  if (!NAME.test(name))
    throw new VolumeError(
      `"${name}" is not a valid volume name (letters, digits, _ . -, starting with a letter or digit)`,
    );
  return path.join(paths.volumesDir(), name);
}

export function volumeDataDir(name: string): string {
  return path.join(dirOf(name), '_data');
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}

export interface VolumeOwner {
  project?: string;
  anonymous?: boolean;
  external?: boolean;
  /** The host folder that keeps its data (it must exist; stack never makes it). */
  device?: string;
  /** A volume of the file: what it is made from, recorded so a later `up` can tell a changed file. */
  volume?: { config: VolumeConfig; hash: string };
}

/**
 * Makes the volume if it does not exist yet (idempotent). An external volume must exist
 * already, and so must the host folder of a bind-backed one, at every start: a folder
 * removed since `up` is named here rather than failing deep inside the init stage.
 */
export async function ensureVolume(name: string, owner: VolumeOwner): Promise<void> {
  if (owner.device && !(await exists(owner.device))) {
    throw new VolumeError(
      `volume ${name} keeps its data in host folder ${owner.device}, which does not exist; create it, or set driver_opts device to a folder that exists`,
    );
  }
  // A bind-backed volume has a record and no `_data`; one made by hand may have only `_data`.
  const file = path.join(dirOf(name), 'volume.json');
  const made = (await exists(file)) || (await exists(volumeDataDir(name)));
  if (!made && owner.external)
    throw new VolumeError(`external volume ${name} does not exist; create it with \`stack volume create ${name}\``);
  // Root-only: `_data` holds what containers wrote there (setuid files, device nodes…).
  await makePrivateDir(dirOf(name));
  if (!owner.device) await fs.mkdir(volumeDataDir(name), { recursive: true });
  if (made) return;
  const record: VolumeRecord = {
    name,
    ...(owner.project ? { project: owner.project } : {}),
    anonymous: !!owner.anonymous,
    createdAt: new Date().toISOString(),
    ...(owner.device ? { device: owner.device } : {}),
    ...(owner.volume ? { config: owner.volume.config, hash: owner.volume.hash } : {}),
  };
  await writeJsonAtomic(file, record);
}

export async function listVolumes(): Promise<ObservedVolume[]> {
  let names: string[];
  try {
    names = (await fs.readdir(paths.volumesDir())).filter((n) => NAME.test(n)).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return Promise.all(
    names.map(async (name) => {
      const record = await readJson<VolumeRecord>(path.join(dirOf(name), 'volume.json')).catch(() => undefined);
      if (!record) return { name, anonymous: false };
      const { project, anonymous, device, config, hash } = record;
      return {
        name,
        anonymous,
        ...(project ? { project } : {}),
        ...(device ? { device } : {}),
        ...(config ? { config } : {}),
        ...(hash ? { hash } : {}),
      };
    }),
  );
}

export async function removeVolume(name: string): Promise<void> {
  await fs.rm(dirOf(name), { recursive: true, force: true });
}

export function createLinuxVolumes(): Host['volumes'] {
  return { remove: removeVolume };
}
