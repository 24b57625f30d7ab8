// The tree of an image from stack's unpacked layers (STACK_ROOT/images/layers/<hex>), which
// are in overlay form: a 0/0 character device hides a name of the layers below, the
// `trusted.overlay.opaque` xattr on a folder hides what the layers below hold in it. The
// result is the same comparable data image-tree.ts makes from tars, so the kept blobs and
// the unpacked layers of one image can be checked against each other.

import fs from 'node:fs';
import path from 'node:path';
import { lgetxattr } from '../../../../executor/host/linux/libc.js';
import {
  applyChanges,
  describeContent,
  octalMode,
  type EntryType,
  type ImageTree,
  type LayerChanges,
  type TreeEntry,
} from './image-tree.js';

function entryType(st: fs.Stats): EntryType {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  return 'file';
}

async function describe(file: string, st: fs.Stats): Promise<TreeEntry> {
  const type = entryType(st);
  const entry: TreeEntry = { type, mode: octalMode(st.mode), uid: st.uid, gid: st.gid };
  if (type === 'file') Object.assign(entry, await describeContent([fs.readFileSync(file)]));
  if (type === 'symlink') entry.target = fs.readlinkSync(file);
  if (type === 'char' || type === 'block') entry.device = `${Math.floor(st.rdev / 256)}:${st.rdev % 256}`;
  return entry;
}

export async function readLayerDir(root: string): Promise<LayerChanges> {
  const changes: LayerChanges = { whiteouts: [], opaque: [], entries: [] };
  const walk = async (dir: string, rel: string) => {
    for (const name of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, name);
      const p = `${rel}/${name}`;
      const st = fs.lstatSync(file);
      if (st.isCharacterDevice() && st.rdev === 0) {
        changes.whiteouts.push(p);
        continue;
      }
      changes.entries.push([p, await describe(file, st)]);
      if (st.isDirectory()) {
        if (lgetxattr(file, 'trusted.overlay.opaque')?.toString() === 'y') changes.opaque.push(p);
        await walk(file, p);
      }
    }
  };
  await walk(root, '');
  return changes;
}

/** `layerDirs`: base layer first. */
export async function treeFromOverlayLayers(layerDirs: string[]): Promise<ImageTree> {
  const tree: ImageTree = new Map();
  for (const dir of layerDirs) applyChanges(tree, await readLayerDir(dir));
  return tree;
}
