// Removes a folder and everything in it, as fs.rm(dir, {recursive, force}) does, for the
// folders a container leaves (its upper and work dirs, its /etc files, its run dir). Node
// 20's rm goes through its rimraf, loaded on first use, with an lstat per entry: ~3 ms of
// the CPU of a one-shot `stack run` for a handful of entries. This is one readdir per folder
// and one unlink or rmdir per entry. Symlinks are removed, never followed; a missing folder
// is no error.

import fs from 'node:fs/promises';
import path from 'node:path';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

export async function removeTree(dir: string): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (code(err) === 'ENOENT') return;
    if (code(err) === 'ENOTDIR') return removeFile(dir);
    throw err;
  }
  await Promise.all(
    entries.map((e) => (e.isDirectory() ? removeTree(path.join(dir, e.name)) : removeFile(path.join(dir, e.name)))),
  );
  await fs.rmdir(dir).catch((err: unknown) => {
    if (code(err) !== 'ENOENT') throw err;
  });
}

/** A file, as fs.rm(file, {force}) removes it: a missing one is no error. */
export async function removeFile(file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (err) {
    // A folder made there meanwhile (readdir saw a file) is removed as a folder.
    if (code(err) === 'EISDIR') return removeTree(file);
    if (code(err) !== 'ENOENT') throw err;
  }
}
