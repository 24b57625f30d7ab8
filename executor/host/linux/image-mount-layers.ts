// The host folders a `type: image` mount shows: the image's layer folders as overlayfs
// would merge them for the container's rootfs, narrowed to `image.subpath`. The subpath is
// walked one name at a time through every layer, top first, as overlayfs looks it up
// (images/overlay-form.ts, shared with the builder): a
// whiteout or a file ends the lookup below it, an opaque folder hides the layers under
// it. A name whose topmost entry is a symbolic link is refused rather than followed: the
// link is the image's, and read on the host it could point anywhere (`sub -> /etc`). Layers
// too many for one page of mount options are named by their short links
// (images/short-layer-links.ts).

import fs from 'node:fs/promises';
import path from 'node:path';
import type { MountSpec } from '../../../model/plan.js';
import { paths } from '../../../store/paths.js';
import { VolumeError } from '../../../store/volumes.js';
import { isWhiteout, lookupName } from '../../../images/overlay-form.js';
import { MOUNT_OPTIONS_LIMIT, shortLayerLink } from '../../../images/short-layer-links.js';
import { layerShadowDir, removeDeadAsides } from '../../../images/layer-shadows.js';
import { partialName } from '../../../images/partial-mark.js';
import { faultPoint } from '../../../store/fault-point.js';

const fits = (dirs: string[]) => `lowerdir=${dirs.join(':')},userxattr`.length <= MOUNT_OPTIONS_LIMIT;

/**
 * The folders (top first) whose merge is what `m` shows; one folder gets a shadow below it,
 * several are overlaid. Throws VolumeError naming the mount when the subpath is missing,
 * not a folder, or reached through a symbolic link.
 */
export async function imageMountDirs(m: MountSpec, container: string): Promise<string[]> {
  const refuse = (why: string) => new VolumeError(`container ${container}: image ${m.source} for ${m.target}: ${why}`);
  const sub = `subpath "${m.subpath}": `;
  const layers = [...(m.image?.layers ?? [])].reverse();
  let visible = layers.map((l) => paths.layerDir(l));
  if (visible.length === 0) throw refuse('the image has no layers');
  const parts = (m.subpath ?? '').split('/').filter((p) => p !== '' && p !== '.');
  for (const [i, part] of parts.entries()) {
    const name = parts.slice(0, i + 1).join('/');
    const { top, merged } = lookupName(visible, part);
    if (!top) throw refuse(`${sub}${name} does not exist in the image`);
    if (!top.stat.isDirectory())
      throw refuse(`${sub}${name} is ${top.stat.isSymbolicLink() ? 'a symbolic link' : 'not a folder'} in the image`);
    visible = merged;
  }
  if (visible.some((d) => d.includes(':') || d.includes(',')))
    throw refuse('its layers are kept under a folder whose path has ":" or ",", which overlayfs cannot take');
  if (visible.length > 1 && !fits(visible)) visible = await viaShortLinks(visible, layers);
  if (visible.length > 1 && !fits(visible))
    throw refuse(`it spans ${visible.length} layers, more than one overlay mount can name`);
  return visible;
}

/** `dirs` (each a layer's folder or one below it) named through the layers' short links. */
async function viaShortLinks(dirs: string[], layers: string[]): Promise<string[]> {
  return Promise.all(
    dirs.map(async (dir) => {
      const layer = layers.find((l) => dir === paths.layerDir(l) || dir.startsWith(`${paths.layerDir(l)}/`))!;
      return (await shortLayerLink(layer)) + dir.slice(paths.layerDir(layer).length);
    }),
  );
}

/**
 * The lower folder an image mount of one folder gets beside it: overlayfs takes no single
 * lower without an upper, and a bind would be neither nosuid nor nodev and would show the
 * layer's whiteouts (character devices 0:0). Overlayfs hides a whiteout only in a folder it
 * merges from two layers, so this folder holds an empty copy of each folder of `top` that
 * has a whiteout (and of those above it); every other folder stays the layer's own.
 */
export async function whiteoutShadow(top: string, into: string): Promise<string> {
  await fs.rm(into, { recursive: true, force: true });
  await fs.mkdir(into, { recursive: true, mode: 0o755 });
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(top, rel), { withFileTypes: true });
    for (const e of entries) {
      const at = path.join(rel, e.name);
      if (e.isDirectory()) await walk(at);
      else if (e.isCharacterDevice() && rel !== '' && isWhiteout(await fs.lstat(path.join(top, at))))
        await fs.mkdir(path.join(into, rel), { recursive: true, mode: 0o755 });
    }
  };
  await walk('');
  return into;
}

/**
 * whiteoutShadow of `top`, made once and kept (images/layer-shadows.ts): made aside, then
 * renamed into place, so a container never sees a half-made one; of two made at once, the
 * first renamed stays. One left aside by a killed build is removed by the next build.
 */
export async function keptShadow(top: string): Promise<string> {
  const kept = layerShadowDir(top);
  if (await fs.stat(kept).catch(() => undefined)) return kept;
  // A build of it that was killed left its folder aside: no one renames that any more.
  await removeDeadAsides(kept);
  const aside = partialName(kept);
  await whiteoutShadow(top, aside);
  faultPoint('shadow-built');
  try {
    await fs.rename(aside, kept);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    await fs.rm(aside, { recursive: true, force: true });
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  }
  return kept;
}
