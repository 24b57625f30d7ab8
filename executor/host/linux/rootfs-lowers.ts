// The lower folders of a container's rootfs overlay, top first. Both init stages name them
// relative to their common folder (they chdir there: init/rootfs.ts, native/rootfs.c), so
// `lowerdir=` holds 65 characters a layer, with the upper and work folders beside it in one
// page of options: about 55 layers fit. An image of more is named through the layers' short
// links (images/short-layer-links.ts), 17 characters a layer.

import path from 'node:path';
import { MOUNT_OPTIONS_LIMIT, overlayLayerDirs } from '../../../images/short-layer-links.js';

/** `layers`: the image's, bottom first; `containerDir` holds the upper and work folders. */
export function rootfsLowerDirs(layers: readonly string[], containerDir: string): Promise<string[]> {
  const rest = `,upperdir=${path.join(containerDir, 'upper')},workdir=${path.join(containerDir, 'work')},userxattr`;
  const fits = (dirs: string[]) =>
    `lowerdir=${dirs.map((d) => path.basename(d)).join(':')}${rest}`.length <= MOUNT_OPTIONS_LIMIT;
  return overlayLayerDirs([...layers].reverse(), fits);
}
