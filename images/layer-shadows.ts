// Where the shadow folder of an image volume of one layer is kept (executor/host/linux/
// image-mount-layers.ts whiteoutShadow): beside the layer store, one per layer folder shown
// (`images/shadows/<layer hex>-<hash of the subpath>`), made by the first container that
// mounts it and kept. A layer never changes once stored, so neither does its shadow; before,
// each container start walked the layer's folder again to make its own. It goes with the
// layer (image GC). A shadow is built aside (`<name>.partial-PID-RAND`) and renamed into
// place; one whose builder was killed is removed by the next build of the same shadow, or
// by the image GC.

import fs from 'node:fs/promises';
import path from 'node:path';
import { hashOf } from '../model/hash.js';
import { paths } from '../store/paths.js';
import { isDeadPartial, PARTIAL_MARK } from './partial-mark.js';

const shadowsDir = () => path.join(paths.imagesDir(), 'shadows');

/** The kept shadow's folder for `top`, a layer's folder or one below it. */
export function layerShadowDir(top: string): string {
  const rel = path.relative(path.join(paths.imagesDir(), 'layers'), top);
  return path.join(shadowsDir(), `${rel.split('/')[0]}-${hashOf(rel).slice(0, 16)}`);
}

/** Removes the shadows of layer `digest` (the image GC, with the layer). */
export async function forgetLayerShadows(digest: string): Promise<void> {
  const hex = path.basename(paths.layerDir(digest));
  const names = await fs.readdir(shadowsDir()).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(`${hex}-`)))
    await fs.rm(path.join(shadowsDir(), name), { recursive: true, force: true });
}

/**
 * Removes the shadows built aside whose builder is gone (killed before its rename): those of
 * the shadow `kept` (its next build), or every one (the image GC). A live builder's stays.
 * Returns how many were removed.
 */
export async function removeDeadAsides(kept?: string): Promise<number> {
  const prefix = kept === undefined ? '' : `${path.basename(kept)}${PARTIAL_MARK}`;
  const names = await fs.readdir(shadowsDir()).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(prefix) || !isDeadPartial(name)) continue;
    await fs.rm(path.join(shadowsDir(), name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}
