// Short names for layer folders, for overlays of many layers. mount(2) takes one page of
// options, and a layer folder is named by its digest (64 hex characters): `lowerdir=` of
// about 55 layers named relative to the layer store (the init stages chdir there), or about
// 40 named by absolute paths, does not fit. As docker's overlay2 does with its `l/` folder,
// such overlays name each layer by a link in `images/l/` whose name is a prefix of its digest
// (`l/<16 hex>` -> `../layers/<digest hex>`), made on first use and kept (a link is never
// replaced: one that points elsewhere, a prefix two layers share, is an error, never the
// other layer). overlayfs resolves the links as it mounts; the kernel lets one overlay
// stack up to 500 layers. Overlays that fit keep the layer folders' own names.

import fs from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../store/paths.js';

/** What one page of mount options leaves for `lowerdir=` and the rest (a margin below 4096). */
export const MOUNT_OPTIONS_LIMIT = 4000;
const SHORT_HEX = 16;

const linksDir = () => path.join(paths.imagesDir(), 'l');

function linkOf(digest: string): { link: string; target: string } {
  const hex = path.basename(paths.layerDir(digest));
  return { link: path.join(linksDir(), hex.slice(0, SHORT_HEX)), target: path.join('..', 'layers', hex) };
}

/** The short link of layer `digest`, made when it is not there yet; its path. */
export async function shortLayerLink(digest: string): Promise<string> {
  const { link, target } = linkOf(digest);
  try {
    await fs.symlink(target, link);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      await fs.mkdir(linksDir(), { recursive: true, mode: 0o700 });
      return shortLayerLink(digest);
    }
    if (code !== 'EEXIST') throw err;
    const there = await fs.readlink(link);
    if (there !== target)
      throw new Error(`layer link ${link} points to ${there}, not to ${target}: two layers share it`);
  }
  return link;
}

/** Removes layer `digest`'s short link, if it has one (the image GC, with the layer). */
export async function forgetShortLayerLink(digest: string): Promise<void> {
  const { link, target } = linkOf(digest);
  if ((await fs.readlink(link).catch(() => undefined)) === target) await fs.rm(link, { force: true });
}

/**
 * The folders overlayfs should name for `layers` (digests, top first): their own folders
 * when `fits` says those do, else their short links.
 */
export async function overlayLayerDirs(
  layers: readonly string[],
  fits: (dirs: string[]) => boolean,
): Promise<string[]> {
  const own = layers.map((l) => paths.layerDir(l));
  if (fits(own)) return own;
  return Promise.all(layers.map(shortLayerLink));
}
