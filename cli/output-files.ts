// Files a command writes into a folder the user names (`convert -o DIR`). stack runs such
// commands as root, and the folder may be one another local user prepared: a symlink at a
// file's name or a folder on the way must not send root's write elsewhere (/etc/shadow).
// So a folder that exists must be the caller's, no component below it may be a symlink,
// and each file is opened with O_NOFOLLOW.

import fs from 'node:fs';
import path from 'node:path';

const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW } = fs.constants;

/** Refuses `dir` when it exists and is not a folder owned by this process's user. */
export function checkOutputFolder(dir: string): void {
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (!st) return;
  if (!st.isDirectory())
    throw new Error(
      `${dir} is not a folder (a ${st.isSymbolicLink() ? 'symlink' : 'file'}); name a folder to write into`,
    );
  const uid = process.getuid?.() ?? st.uid;
  if (st.uid !== uid)
    throw new Error(
      `${dir} belongs to uid ${st.uid}, not to the user stack runs as (${uid}); write into a folder of your own`,
    );
}

/** Writes `content` to `name` (relative, may hold folders) under `dir`, never through a symlink. */
export function writeOutputFile(dir: string, name: string, content: string): void {
  const parts = path.normalize(name).split(path.sep);
  if (parts.some((p) => p === '..' || p === '')) throw new Error(`refusing to write ${name}: not a path inside ${dir}`);
  let folder = dir;
  fs.mkdirSync(folder, { recursive: true });
  for (const part of parts.slice(0, -1)) {
    folder = path.join(folder, part);
    try {
      fs.mkdirSync(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (!fs.lstatSync(folder).isDirectory())
      throw new Error(`${folder} is not a folder (a symlink?); refusing to write into it`);
  }
  const file = path.join(dir, name);
  let fd: number;
  try {
    fd = fs.openSync(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP')
      throw new Error(`${file} is a symlink; refusing to write through it`);
    throw err;
  }
  try {
    fs.writeFileSync(fd, content);
  } finally {
    fs.closeSync(fd);
  }
}
