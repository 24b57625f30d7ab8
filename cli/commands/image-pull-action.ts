// What `stack image pull REF` does (loaded only when it runs; see image.ts).

import { pullImage } from '../../images/pull-image.js';
import type { ImageInfo } from '../../model/observed.js';
import { pullPrinter } from '../pull-progress.js';

export interface ImagePullOptions {
  platform?: string;
}

/** Pulls `ref` with live progress on stderr; returns the stored record. */
export async function pullWithProgress(ref: string, platform: string | undefined, quiet = false): Promise<ImageInfo> {
  if (quiet) return pullImage(ref, { ...(platform !== undefined && { platform }) });
  const printer = pullPrinter();
  try {
    return await pullImage(ref, { ...(platform !== undefined && { platform }), onEvent: (e) => printer.event(e) });
  } finally {
    await printer.end();
  }
}

export async function imagePull(ref: string, opts: ImagePullOptions): Promise<void> {
  const info = await pullWithProgress(ref, opts.platform);
  process.stdout.write(`${info.ref} ${info.id}\n`);
}
