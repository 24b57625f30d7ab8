// What `stack image save REF… -o FILE` does (loaded only when it runs; see image.ts).

import { saveImages } from '../../images/save-image.js';

export interface ImageSaveOptions {
  output: string;
}

export async function imageSave(refs: string[], opts: ImageSaveOptions): Promise<void> {
  const saved = await saveImages(refs, opts.output);
  process.stderr.write(`saved ${saved.refs.join(', ')} (${saved.blobs} blobs) to ${opts.output}\n`);
}
