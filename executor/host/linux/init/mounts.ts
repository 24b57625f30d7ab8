// The container's own mounts, made by the init stage inside its mount namespace before
// pivot_root: volumes and bind mounts (host directories or files, secrets and configs
// rendered on the host) and tmpfs. Targets are resolved with inRoot(), so a symlink in the
// image cannot send a mount onto the host. A new volume got the image's content at its
// target before (copy-up.ts), as docker does, unless the volume asked for nocopy.

import fs from 'node:fs';
import { MS, type Sys } from './sys.js';
import { dirIn, fileIn } from './in-root.js';

export interface InitMount {
  kind: 'bind' | 'tmpfs';
  /** bind: host path (a directory or a file). */
  source: string;
  /** Absolute path inside the container. */
  target: string;
  readOnly: boolean;
  /** bind: private, rprivate (default), shared, rshared, slave, rslave. */
  propagation?: string;
  /** Volume: copy the image's content at target into it when it is empty (copy-up.ts). */
  copyUp?: boolean;
  tmpfsSize?: number;
  tmpfsMode?: number;
}

/** mount(2) flags of each bind propagation mode. */
export const PROPAGATION: Record<string, number> = {
  private: 1 << 18, rprivate: (1 << 18) | MS.REC,
  slave: 1 << 19, rslave: (1 << 19) | MS.REC,
  shared: 1 << 20, rshared: (1 << 20) | MS.REC,
};

export function mountContainerMounts(sys: Sys, root: string, mounts: InitMount[]): void {
  for (const m of mounts) {
    if (m.kind === 'tmpfs') mountTmpfs(sys, root, m);
    else mountBind(sys, root, m);
  }
}

function mountTmpfs(sys: Sys, root: string, m: InitMount): void {
  const options = [`mode=${(m.tmpfsMode ?? 0o1777).toString(8)}`, ...(m.tmpfsSize !== undefined ? [`size=${m.tmpfsSize}`] : [])];
  sys.mount('tmpfs', dirIn(root, m.target), 'tmpfs', MS.NOSUID | MS.NODEV | (m.readOnly ? MS.RDONLY : 0), options.join(','));
}

function mountBind(sys: Sys, root: string, m: InitMount): void {
  const isDir = fs.statSync(m.source).isDirectory();
  const target = isDir ? dirIn(root, m.target) : fileIn(root, m.target);
  sys.mount(m.source, target, null, MS.BIND | MS.REC);
  // A bind takes the source's flags; read-only needs a remount of the new mount itself.
  if (m.readOnly) sys.mount(null, target, null, MS.BIND | MS.REMOUNT | MS.RDONLY);
  sys.mount(null, target, null, PROPAGATION[m.propagation ?? 'rprivate'] ?? PROPAGATION.rprivate!);
}
