// Small JSON files written atomically: a crash mid-write leaves the old file or the new
// one, never half of either. State records depend on this. They hold environment and secret
// values: root-only (private-files.ts).

import fs from 'node:fs/promises';
import path from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from './private-files.js';

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await makePrivateDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
  await fs.rename(tmp, file);
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Every `*.json` in a folder, parsed; an absent folder is an empty list. */
export async function readJsonDir<T>(dir: string): Promise<T[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const out: T[] = [];
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    const value = await readJson<T>(path.join(dir, name));
    if (value !== undefined) out.push(value);
  }
  return out;
}
