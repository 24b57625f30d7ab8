// The runtime makes mount points a RUN container needs when the image lacks them (/proc,
// /sys, /dev, /etc/hosts, /etc/resolv.conf, /etc/hostname, the step's --mount targets); in
// the overlay they land in the upper folder. They are the runtime's, not the step's: like
// BuildKit, the builder removes each one that is still an empty stub and was absent below,
// with the parents made only to hold it.

import fsp from 'node:fs/promises';
import path from 'node:path';
import { isOpaque } from '../overlay-form.js';
import { lookup } from './layer-stack.js';

const RUNTIME_MOUNTS = ['/proc', '/sys', '/dev', '/etc/hosts', '/etc/hostname', '/etc/resolv.conf'];

/** `below`: the step's layer folders, topmost first (the upper folder not among them). */
export async function removeMountStubs(upper: string, below: string[], stepTargets: string[]): Promise<void> {
  for (const target of [...RUNTIME_MOUNTS, ...stepTargets]) {
    let rel = target.replace(/^\/+/, '').replace(/\/+$/, '');
    while (rel !== '' && rel !== '.') {
      const file = path.join(upper, rel);
      const st = await fsp.lstat(file).catch(() => undefined);
      if (!st || lookup(below, rel).kind === 'found') break;
      const empty = st.isDirectory()
        ? (await fsp.readdir(file)).length === 0 && !isOpaque(file)
        : st.isFile() && st.size === 0;
      if (!empty) break;
      await fsp.rm(file, { recursive: true });
      rel = path.posix.dirname(rel);
    }
  }
}
