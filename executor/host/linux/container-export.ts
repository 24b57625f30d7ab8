// `stack export`: a running container's filesystem as a tar, as its processes see it (the
// overlay's merged view), read from the host through /proc/PID/root. Mount points (volumes,
// tmpfs, /proc, /dev, the bind-mounted /etc/hosts …) are written empty, as docker export
// leaves them out: they are not the container's filesystem. The walk never follows a
// symlink the container swaps in (fd-tree-dir.ts).

import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { packTree } from '../../../images/tree-tar.js';
import { fdTreeDir } from './fd-tree-dir.js';
import { ContainerRoot, fdPath, O_DIR_PATH, type ContainerProcess } from './in-root.js';

/** The mount points in the container's own mount namespace, relative to its root ('' is the root). */
export function mountPoints(mountinfo: string): Set<string> {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return new Set(
    mountinfo
      .split('\n')
      .filter(Boolean)
      .map((line) => unescape(line.split(' ')[4]!).replace(/^\/+/, '')),
  );
}

export async function exportContainer({ pid, startTime }: ContainerProcess, out: Writable): Promise<void> {
  const mounts = mountPoints(fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8'));
  const root = ContainerRoot.open(pid, startTime);
  const pack = tar.pack();
  const written = pipeline(pack, out);
  const top = fdTreeDir(fs.openSync(fdPath(root.fd), O_DIR_PATH));
  try {
    await packTree(pack, top, { layer: false, mountPoint: (rel) => mounts.has(rel) });
    pack.finalize();
    await written;
  } catch (err) {
    pack.destroy(err as Error);
    await written.catch(() => undefined);
    throw err;
  } finally {
    top.close();
    root.close();
  }
}
