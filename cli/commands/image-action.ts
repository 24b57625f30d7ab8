// What `stack image import` and `stack image ls` do (loaded only when they run; see image.ts).

import { importOciLayout } from '../../executor/images/import-oci-layout.js';
import { listImages } from '../../executor/images/image-store.js';

export interface ImageImportOptions {
  tag?: string;
}

export interface ImageLsOptions {
  format: string;
}

export async function imageImport(dir: string, opts: ImageImportOptions): Promise<void> {
  const info = await importOciLayout(dir, opts.tag ? { tag: opts.tag } : {});
  process.stdout.write(`${info.ref} ${info.id}\n`);
}

export async function imageLs(opts: ImageLsOptions): Promise<void> {
  const images = await listImages();
  if (opts.format === 'json') process.stdout.write(JSON.stringify(images, null, 2) + '\n');
  else for (const i of images) process.stdout.write(`${i.ref}  ${i.id.slice(0, 19)}  ${i.layers.length} layer(s)\n`);
}
