// Paths inside a container's rootfs before pivot_root: resolved as if the rootfs were `/`,
// so an absolute symlink in an image (`etc -> /`) cannot point a mount at the host.

import fs from 'node:fs';
import path from 'node:path';

/** Resolves `rel` under `root` following symlinks as if `root` were `/` (never escapes). */
export function inRoot(root: string, rel: string): string {
  const todo = rel.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let links = 0;
  while (todo.length > 0) {
    const part = todo.shift()!;
    if (part === '..') {
      done.pop();
      continue;
    }
    const full = path.join(root, ...done, part);
    let target: string | undefined;
    try {
      if (fs.lstatSync(full).isSymbolicLink()) target = fs.readlinkSync(full);
    } catch {
      /* absent: the rest is created by the caller */
    }
    if (target === undefined) {
      done.push(part);
      continue;
    }
    if (++links > 40) throw new Error(`too many symlinks resolving ${rel}`);
    if (target.startsWith('/')) done.length = 0;
    todo.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
  }
  return path.join(root, ...done);
}

const PROC_SUPER_MAGIC = 0x9fa0;

/**
 * A mount on or inside the container's procfs is refused, as runc refuses it: it would hide
 * or fake what the kernel shows there (to the container and to what enters it later).
 * `p` is resolved already; the first part of it that exists says on which filesystem.
 */
function refuseInProc(root: string, p: string, rel: string): void {
  const exists = (q: string) => {
    try {
      fs.lstatSync(q);
      return true;
    } catch {
      return false;
    }
  };
  let probe = p;
  while (!exists(probe) && probe !== path.dirname(probe)) probe = path.dirname(probe);
  if (fs.statfsSync(probe).type === PROC_SUPER_MAGIC) {
    throw new Error(`mount target ${rel} resolves to ${p.slice(root.length) || '/'}, inside /proc: refused`);
  }
}

export function dirIn(root: string, rel: string): string {
  const p = inRoot(root, rel);
  refuseInProc(root, p, rel);
  fs.mkdirSync(p, { recursive: true });
  return p;
}
