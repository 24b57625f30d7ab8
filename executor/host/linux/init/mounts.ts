// The container's own mounts, made by the init stage inside its mount namespace before
// pivot_root: volumes and bind mounts (host directories or files, secrets and configs
// rendered on the host) and tmpfs. Targets are opened inside the rootfs and mounted onto by
// fd (mount-target.ts), so neither a symlink in the image nor one swapped into a shared
// volume meanwhile can send a mount, a mkdir or a new file onto the host. An image mount is
// a read-only, nosuid, nodev overlay of its layer folders (one layer gets a shadow folder
// below it: image-mount-layers.ts). A new volume got the image's content at its target before (copy-up.ts), as docker does, unless the volume asked for nocopy.

import fs from 'node:fs';
import { MS, type Sys } from './sys.js';
import { at, MOUNT_ATTR, type RootTargets } from './mount-target.js';

export interface InitMount {
  /** overlay: an image mount (its layer folders), always read-only. */
  kind: 'bind' | 'tmpfs' | 'overlay';
  /** bind: host path (a directory or a file); overlay: the layer folders, top first, `:`-joined. */
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
  private: 1 << 18,
  rprivate: (1 << 18) | MS.REC,
  slave: 1 << 19,
  rslave: (1 << 19) | MS.REC,
  shared: 1 << 20,
  rshared: (1 << 20) | MS.REC,
};

/** `userxattr`: in a user namespace overlay reads user.overlay.* marks (images/overlay-form.ts). */
export function mountContainerMounts(sys: Sys, targets: RootTargets, mounts: InitMount[], userxattr = false): void {
  for (const m of mounts) {
    if (m.kind === 'tmpfs') mountTmpfs(sys, targets, m);
    else if (m.kind === 'overlay') mountOverlay(sys, targets, m, userxattr);
    else mountBind(targets, m);
  }
}

function mountOverlay(sys: Sys, targets: RootTargets, m: InitMount, userxattr: boolean): void {
  const fd = targets.dir(m.target);
  try {
    sys.mount(
      'overlay',
      at(fd),
      'overlay',
      MS.RDONLY | MS.NOSUID | MS.NODEV,
      `lowerdir=${m.source}${userxattr ? ',userxattr' : ''}`,
    );
  } finally {
    fs.closeSync(fd);
  }
}

function mountTmpfs(sys: Sys, targets: RootTargets, m: InitMount): void {
  const options = [
    `mode=${(m.tmpfsMode ?? 0o1777).toString(8)}`,
    ...(m.tmpfsSize !== undefined ? [`size=${m.tmpfsSize}`] : []),
  ];
  const fd = targets.dir(m.target);
  try {
    sys.mount('tmpfs', at(fd), 'tmpfs', MS.NOSUID | MS.NODEV | (m.readOnly ? MS.RDONLY : 0), options.join(','));
  } finally {
    fs.closeSync(fd);
  }
}

function mountBind(targets: RootTargets, m: InitMount): void {
  const fd = fs.statSync(m.source).isDirectory() ? targets.dir(m.target) : targets.file(m.target);
  targets.bindAt(
    fd,
    m.source,
    m.readOnly ? MOUNT_ATTR.RDONLY : 0,
    PROPAGATION[m.propagation ?? 'rprivate'] ?? PROPAGATION.rprivate!,
    m.target,
  );
}
