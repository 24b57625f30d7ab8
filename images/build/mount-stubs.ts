// The runtime makes mount points a RUN container needs when the image lacks them (/proc,
// /sys, /dev, /etc/hosts, /etc/resolv.conf, /etc/hostname, the step's --mount targets); in
// the overlay they land in the upper folder. They are the runtime's, not the step's: like
// BuildKit, the builder removes each one that is still an empty stub and was absent below,
// with the parents made only to hold it.

import fs from 'node:fs';
import path from 'node:path';
import { isOpaque } from '../overlay-form.js';
import { lookup } from './layer-stack.js';

const RUNTIME_MOUNTS = ['/proc', '/sys', '/dev', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'];

/**
 * `below`: the step's layer folders, topmost first (the upper folder not among them).
 * Synchronous calls: an lstat per mount point of every RUN step, each cheaper than its
 * trip through the thread pool.
 */
export async function removeMountStubs(upper: string, below: string[], stepTargets: string[]): Promise<void> {
  for (const target of [...RUNTIME_MOUNTS, ...stepTargets]) {
    let rel = target.replace(/^\/+/, '').replace(/\/+$/, '');
    while (rel !== '' && rel !== '.') {
      const file = path.join(upper, rel);
      const st = lstatOrUndefined(file);
      if (!st || lookup(below, rel).kind === 'found') break;
      const empty = st.isDirectory()
        ? fs.readdirSync(file).length === 0 && !isOpaque(file)
        : st.isFile() && st.size === 0;
      if (!empty) break;
      fs.rmSync(file, { recursive: true });
      rel = path.posix.dirname(rel);
    }
  }
}

function lstatOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}
