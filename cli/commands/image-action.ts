// What `stack image import`, `ls`, `rm` and `prune` do (loaded only when they run; see image.ts).

import { importImage } from '../../images/import-image.js';
import { listImages } from '../../images/image-store.js';

export interface ImageImportOptions {
  tag?: string;
  platform?: string;
}

export interface ImageLsOptions {
  format: string;
}

export async function imageImport(dir: string, opts: ImageImportOptions): Promise<void> {
  const info = await importImage(dir, {
    ...(opts.tag && { tag: opts.tag }),
    ...(opts.platform && { platform: opts.platform }),
  });
  process.stdout.write(`${info.ref} ${info.id}\n`);
}

export async function imageLs(opts: ImageLsOptions): Promise<void> {
  const images = await listImages();
  if (opts.format === 'json') process.stdout.write(JSON.stringify(images, null, 2) + '\n');
  else for (const i of images) process.stdout.write(`${i.ref}  ${i.id.slice(0, 19)}  ${i.layers.length} layer(s)\n`);
}

export interface ImageRmOptions {
  force?: boolean;
}

export async function imageRm(refs: string[], opts: ImageRmOptions): Promise<void> {
  const { removeImages } = await import('../../images/image-gc.js');
  for (const ref of await removeImages(refs, !!opts.force)) process.stdout.write(`removed ${ref}\n`);
}

export interface ImagePruneOptions {
  all?: boolean;
}

export async function imagePrune(opts: ImagePruneOptions): Promise<void> {
  const { pruneImages } = await import('../../images/image-gc.js');
  const r = await pruneImages({ all: !!opts.all });
  for (const ref of r.images) process.stdout.write(`removed image ${ref}\n`);
  for (const layer of r.layers) process.stdout.write(`removed layer ${layer}\n`);
  for (const blob of r.blobs) process.stdout.write(`removed blob ${blob}\n`);
  process.stderr.write(
    `pruned ${r.images.length} image(s), ${r.layers.length} layer(s), ${r.blobs.length} blob(s), ` +
      `${r.cacheEntries} build-cache entr${r.cacheEntries === 1 ? 'y' : 'ies'}, ${r.cacheMounts} cache mount(s), ` +
      `${r.leftovers} leftover(s) of interrupted pulls\n`,
  );
  if (r.buildRunning)
    process.stderr.write(
      'a build is running: its blobs, the build cache and cache mounts were left; prune again after it\n',
    );
  // The networks builds keep for the next build (executor/kept-build-network.ts), but those a build holds.
  const kept = await import('../../executor/kept-build-network.js');
  if ((await kept.keptNetworkProjects()).length === 0) return;
  const { createLinuxHost } = await import('../../executor/host/linux/linux-host.js');
  for (const project of await kept.removeKeptNetworks(createLinuxHost(), 0))
    process.stdout.write(`removed build network ${project}\n`);
}
