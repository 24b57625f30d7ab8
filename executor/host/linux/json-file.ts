// Small JSON files written atomically: a crash mid-write leaves the old file or the new
// one, never half of either. State records depend on this. They hold environment and secret
// values: root-only (private-files.ts).

import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from './private-files.js';
import { RecordWriteError } from './record-errors.js';

/**
 * Writes `value` to a temporary file beside `file`, then renames it over `file`. The
 * temporary name is unique per write, not per process: two writers of one record in the
 * same process (two services sharing a new volume) each rename their own. A write that
 * fails (a full disk) removes its temporary file and names the record.
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await makePrivateDir(path.dirname(file));
    await fs.writeFile(tmp, JSON.stringify(value, null, 2) + '\n', { mode: PRIVATE_FILE_MODE });
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => {});
    throw new RecordWriteError(file, (err as NodeJS.ErrnoException).code, err);
  }
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
