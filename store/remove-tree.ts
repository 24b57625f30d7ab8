// Removes a folder and everything in it, as fs.rm(dir, {recursive, force}) does, for the
// folders a container leaves (its upper and work dirs, its /etc files, its run dir) and a
// build step's upper dir (images/build/commit-layer.ts: why it is in store/). Node
// 20's rm goes through its rimraf, loaded on first use, with an lstat per entry: ~3 ms of
// the CPU of a one-shot `stack run` for a handful of entries. This is one readdir per folder
// and one unlink or rmdir per entry. Symlinks are removed, never followed; a missing folder
// is no error.
//
// Blocking calls, with a turn of the event loop every YIELD_EVERY entries: through
// fs/promises each step was a thread-pool round trip, ~20 of them at the end of every
// one-shot `stack run` for ~10 entries, while a large upper dir must not hold up the
// supervisor's other work until it is gone.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Entries removed between two turns of the event loop (~1 ms of unlinks). */
const YIELD_EVERY = 128;

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Counts the entries removed, and lets the event loop run now and then. */
class Pace {
  private count = 0;
  async step(): Promise<void> {
    if (++this.count % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function removeTree(dir: string): Promise<void> {
  try {
    await removeFolder(dir, new Pace());
  } catch (err) {
    if (code(err) !== 'ENAMETOOLONG') throw err;
    // A container may nest folders in its upper dir past PATH_MAX, where no path reaches:
    // rm walks by descriptors (openat), so the container's own files cannot keep it from
    // being removed. Rare, so node:child_process is loaded only then.
    await removeByDescriptors(dir);
  }
}

/** `rm -rf` of `dir`, staying on its filesystem; an error names the folder and what rm said. */
async function removeByDescriptors(dir: string): Promise<void> {
  const { execFile } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  await new Promise<void>((resolve, reject) =>
    execFile('rm', ['-rf', '--one-file-system', '--', dir], { env: { PATH: '/usr/bin:/bin' } }, (err, _out, stderr) =>
      err
        ? reject(
            new Error(
              `cannot remove ${dir}, nested past PATH_MAX: rm: ${stderr.trim() || err.message}; remove it by hand (rm -rf --one-file-system ${dir})`,
            ),
          )
        : resolve(),
    ),
  );
}

/** A file, as fs.rm(file, {force}) removes it: a missing one is no error. */
export async function removeFile(file: string): Promise<void> {
  await removeEntry(file, new Pace());
}

async function removeFolder(dir: string, pace: Pace): Promise<void> {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    if (code(err) === 'ENOTDIR') return removeEntry(dir, pace);
    throw err;
  }
  for (const e of entries) {
    await pace.step();
    const entry = path.join(dir, e.name);
    await (e.isDirectory() ? removeFolder(entry, pace) : removeEntry(entry, pace));
  }
  try {
    fs.rmdirSync(dir);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
}

async function removeEntry(file: string, pace: Pace): Promise<void> {
  try {
    fs.unlinkSync(file);
  } catch (err) {
    // A folder made there meanwhile (readdir saw a file) is removed as a folder.
    if (code(err) === 'EISDIR') return removeFolder(file, pace);
    if (code(err) !== 'ENOENT') throw err;
  }
}
