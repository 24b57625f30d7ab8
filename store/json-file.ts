// Small JSON files written atomically: a crash mid-write leaves the old file or the new
// one, never half of either. State records depend on this. They hold environment and secret
// values: root-only (private-files.ts).
//
// Read and written with blocking calls behind the async signatures: a record is a few KB,
// and fs/promises takes a thread-pool round trip per step (readFile: open, fstat, read,
// close; a write five), which cost a one-shot `stack run`'s eight record reads and writes
// more than the I/O itself.

import fs from 'node:fs';
import path from 'node:path';
import { makePrivateDirSync, PRIVATE_FILE_MODE } from './private-files.js';
import { randomHex } from './random-hex.js';
import { BadRecordError, RecordWriteError } from './record-errors.js';
import type { Check } from './shape-check.js';

/**
 * Writes `value` to a temporary file beside `file`, then renames it over `file`. The
 * temporary name is unique per write, not per process: two writers of one record in the
 * same process (two services sharing a new volume) each rename their own. A write that
 * fails (a full disk) removes its temporary file and names the record.
 *
 * Four syscalls in the usual case (open, write, close, rename): a first `up -d` of five
 * containers writes ~20 records on the supervisor's main thread, and each also made its
 * folder (mkdir, then a stat on EEXIST) and read /dev/urandom (open, read, close) for its
 * name. The folder is made only when the open finds it missing (a first record, or a stack
 * folder removed meanwhile).
 */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.${tmpTag()}.tmp`;
  const text = JSON.stringify(value, null, 2) + '\n';
  try {
    try {
      fs.writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      makePrivateDirSync(path.dirname(file));
      fs.writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    removeIfThere(tmp);
    throw new RecordWriteError(file, (err as NodeJS.ErrnoException).code, err);
  }
}

/**
 * 8 hex digits, different at each call of this process: a random start (read once; the pid
 * beside it may repeat in another pid namespace) and a counter.
 */
let tmpBase: number | undefined;
let tmpCount = 0;
function tmpTag(): string {
  tmpBase ??= parseInt(randomHex(4), 16);
  return ((tmpBase + tmpCount++) >>> 0).toString(16).padStart(8, '0');
}

/**
 * Removes the record `file` and what writers killed mid-write (kill -9 between the write
 * and the rename) left beside it: nothing else ever renames or removes those temporary
 * files, so a stack's folder kept them until `down`. A live writer's file stays (a reused
 * pid keeps a leftover until the folder goes, which is harmless).
 */
export async function removeJson(file: string): Promise<void> {
  removeIfThere(file, true);
  const base = path.basename(file);
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const pid = /^\.(\d+)\.[0-9a-f]{8}\.tmp$/.exec(name.slice(base.length))?.[1];
    if (pid && !processExists(Number(pid))) removeIfThere(path.join(path.dirname(file), name), true);
  }
}

/** unlink, an absent file being no error; any other error too unless `strict`. */
function removeIfThere(file: string, strict = false): void {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    if (strict && (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * A record stack wrote, checked against `check` when given: undefined when it is absent,
 * BadRecordError (naming the file and what is wrong) when it is empty, not JSON or of
 * another shape.
 */
export async function readJson<T>(file: string, check?: Check): Promise<T | undefined> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  if (text.trim() === '') throw new BadRecordError(file, 'the file is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BadRecordError(file, `not JSON (${(err as Error).message})`);
  }
  const problem = check?.(value, '');
  if (problem) throw new BadRecordError(file, problem);
  return value as T;
}

/** The records of a folder: the readable ones, and the damaged ones as errors naming them. */
export interface RecordDir<T> {
  records: T[];
  damaged: BadRecordError[];
}

/** Every `*.json` in a folder, parsed and checked (`check` is given the name without `.json`); an absent folder is an empty list. */
export async function readJsonDir<T>(dir: string, check?: (name: string) => Check): Promise<RecordDir<T>> {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], damaged: [] };
    throw err;
  }
  const out: RecordDir<T> = { records: [], damaged: [] };
  for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
    try {
      const value = await readJson<T>(path.join(dir, name), check?.(name.slice(0, -'.json'.length)));
      if (value !== undefined) out.records.push(value);
    } catch (err) {
      if (!(err instanceof BadRecordError)) throw err;
      out.damaged.push(err);
    }
  }
  return out;
}
