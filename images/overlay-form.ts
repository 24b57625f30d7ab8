// Layers in overlay form, as stack's image store keeps them and overlayfs reads them: a
// character device 0:0 is a whiteout (it hides the name in the layers below), the opaque
// xattr on a folder hides what the layers below hold in it, and the topmost layer that has
// a name wins. The one place that says so for the builder's lookups (images/build/
// layer-stack.ts), image volumes (executor/host/linux/image-mount-layers.ts), the unpacker
// (unpack-layer.ts) and the layer writers (tree-tar.ts, fd-tree-dir.ts).

import fs from 'node:fs';
import path from 'node:path';
import { lgetxattr } from '../executor/host/linux/libc.js';
import { isInitialUidMap } from '../model/user-namespaces.js';

let opaqueName: string | undefined;

/**
 * The xattr that marks an opaque folder for this process's overlay mounts. overlayfs keeps
 * its marks in `trusted.overlay.*`, which only the host's root may set or read; inside a
 * user namespace (rootless mode) overlay is mounted with `userxattr` (both init stages)
 * and reads `user.overlay.*` instead. Each mode has its own image store, so a store never
 * mixes the two.
 */
export function opaqueXattr(): string {
  opaqueName ??= isInitialUidMap(fs.readFileSync('/proc/self/uid_map', 'utf8'))
    ? 'trusted.overlay.opaque'
    : 'user.overlay.opaque';
  return opaqueName;
}

/** A whiteout: a character device with device number 0:0. */
export const isWhiteout = (st: { isCharacterDevice(): boolean; rdev: number }): boolean =>
  st.isCharacterDevice() && st.rdev === 0;

/** Whether the folder at `dir` (a path, or `/proc/self/fd/N/name`) is marked opaque. */
export const isOpaque = (dir: string): boolean => lgetxattr(dir, opaqueXattr())?.toString() === 'y';

/** One name looked up through folders that overlay each other. */
export interface OverlayName {
  /** Its topmost entry; none when no folder has it or a whiteout hides it. */
  top?: { file: string; stat: fs.Stats };
  /** When it is a folder: that folder in each layer that shows into the merge, topmost first. */
  merged: string[];
}

/** How a lookup reads the layers: plain calls, or a caller's memo of layers that never change. */
export interface OverlayProbe {
  lstat(file: string): fs.Stats | undefined;
  opaque(dir: string): boolean;
}

const direct: OverlayProbe = {
  lstat: (file) => fs.lstatSync(file, { throwIfNoEntry: false }),
  opaque: isOpaque,
};

/**
 * `name` in `folders` (the same folder of each layer, topmost first), as overlayfs looks it
 * up: a whiteout ends the lookup; below a folder, a lower layer's file or link is hidden
 * and so is everything below an opaque folder.
 */
export function lookupName(folders: string[], name: string, probe: OverlayProbe = direct): OverlayName {
  const merged: string[] = [];
  let top: OverlayName['top'];
  for (const folder of folders) {
    const file = path.join(folder, name);
    const stat = probe.lstat(file);
    if (!stat) continue;
    if (isWhiteout(stat)) break;
    top ??= { file, stat };
    if (!stat.isDirectory()) break;
    merged.push(file);
    if (probe.opaque(file)) break;
  }
  return top ? { top, merged } : { merged };
}
