// Looking up paths in an image's root as overlayfs would show it, without mounting it: the
// layers are folders in overlay form (images/overlay-form.ts: a 0/0 character device hides
// a name below it, the `trusted.overlay.opaque` xattr hides a whole folder below it), the
// topmost layer that has a name wins. A build step that only writes files (COPY, ADD, WORKDIR) writes them
// into its own upper folder after resolving the destination here, symlinks of the image
// included — never outside its root, as docker resolves them.

import fs from 'node:fs';
import path from 'node:path';
import { isOpaque, lookupName, type OverlayProbe } from '../overlay-form.js';
import { paths } from '../../store/paths.js';
import { LayerPathError } from './build-errors.js';

export type Found = { kind: 'found'; file: string; stat: fs.Stats } | { kind: 'missing' };

/** `layers`: the layer folders, topmost first (the step's upper folder first of all). */
export function lookup(layers: string[], rel: string): Found {
  const parts = rel.split('/').filter(Boolean);
  const probe = storedLayers();
  let visible = layers;
  for (const [i, part] of parts.entries()) {
    const { top, merged } = lookupName(visible, part, probe);
    if (!top) return { kind: 'missing' };
    if (i === parts.length - 1) return { kind: 'found', ...top };
    if (!top.stat.isDirectory()) return { kind: 'missing' };
    visible = merged;
  }
  return layers.length > 0 ? { kind: 'found', file: layers[0], stat: fs.lstatSync(layers[0]) } : { kind: 'missing' };
}

/**
 * The path `rel` names inside the root, every symlink on the way followed within the root
 * (an absolute target starts at the root, `..` stops at the root). The last component is
 * followed too unless `followLast` is false.
 */
export function resolveInRoot(layers: string[], rel: string, followLast = true): string {
  const pending = rel.split('/').filter(Boolean);
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = [...done, part].join('/');
    const found = lookup(layers, candidate);
    if (found.kind === 'found' && found.stat.isSymbolicLink() && (followLast || pending.length > 0)) {
      if (++hops > 40) throw new LayerPathError(`too many levels of symbolic links resolving /${rel} in the image`);
      const target = fs.readlinkSync(found.file);
      if (target.startsWith('/')) done.length = 0;
      pending.unshift(...target.split('/').filter(Boolean));
      continue;
    }
    done.push(part);
  }
  return done.join('/');
}

/**
 * What lookups found in stored layers, which never change once stored (named by their
 * digest, moved into the store whole): a COPY looks up every parent of every file it
 * writes in every layer, and those calls were most of a one-file rebuild's COPY. A step's
 * own upper folder, which it changes as it goes, is always asked afresh.
 */
const stored = { stats: new Map<string, fs.Stats | undefined>(), opaque: new Map<string, boolean>() };
const STORED_MEMO_LIMIT = 50_000;

function remembered<T>(memo: Map<string, T>, file: string, read: (file: string) => T): T {
  if (memo.has(file)) return memo.get(file) as T;
  if (memo.size >= STORED_MEMO_LIMIT) memo.clear();
  const value = read(file);
  memo.set(file, value);
  return value;
}

/**
 * The probe of one lookup. The store's folder is resolved once per lookup, not per name
 * and layer: resolving STACK_ROOT each time was most of the cost of a COPY's lookups.
 */
function storedLayers(): OverlayProbe {
  const store = path.join(paths.imagesDir(), 'layers') + path.sep;
  const lstat = (f: string) => fs.lstatSync(f, { throwIfNoEntry: false });
  return {
    lstat: (file) => (file.startsWith(store) ? remembered(stored.stats, file, lstat) : lstat(file)),
    opaque: (dir) => (dir.startsWith(store) ? remembered(stored.opaque, dir, isOpaque) : isOpaque(dir)),
  };
}
