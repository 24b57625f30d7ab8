// `stack push` / `stack image push REF`: a stored image sent to the registry its reference
// names, exactly as it is kept (the same manifest bytes, so the same digest): every blob the
// manifest names is checked to be kept first, then each one the repository lacks is
// uploaded (config and layers, a few at a time), then the manifest is put under the tag.

import PQueue from 'p-queue';
import { paths } from '../store/paths.js';
import { keptImage } from './kept-image.js';
import { BlobDigestError } from './manifest.js';
import { RegistryClient } from './registry-client.js';
import { putManifest, registryHasBlob, uploadBlob } from './registry-push.js';
import { parseRegistryRef } from './registry-ref.js';

export type PushEvent =
  | { type: 'blob-exists'; digest: string }
  | { type: 'blob-pushing'; digest: string; size: number }
  | { type: 'blob-pushed'; digest: string };

export interface PushOptions {
  onEvent?: (e: PushEvent) => void;
  /** Blobs uploaded at once (default 3, like docker). */
  concurrency?: number;
}

export interface Pushed {
  ref: string;
  /** The manifest's digest (the image's digest in the registry). */
  digest: string;
  size: number;
}

export async function pushImage(raw: string, opts: PushOptions = {}): Promise<Pushed> {
  const emit = opts.onEvent ?? (() => {});
  const image = await keptImage(raw, 'push');
  const target = parseRegistryRef(image.info.ref);
  const client = new RegistryClient(target);
  const queue = new PQueue({ concurrency: opts.concurrency ?? 3 });
  const results = await Promise.allSettled(
    [image.config, ...image.layers].map((blob) =>
      queue.add(async () => {
        if (await registryHasBlob(client, blob.digest)) return emit({ type: 'blob-exists', digest: blob.digest });
        emit({ type: 'blob-pushing', digest: blob.digest, size: blob.size });
        await uploadBlob(client, blob.digest, blob.size, paths.blobFile(blob.digest));
        emit({ type: 'blob-pushed', digest: blob.digest });
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const m = image.manifest;
  const reported = await putManifest(client, target.digest ?? target.tag ?? 'latest', m.mediaType, m.bytes);
  if (reported !== undefined && reported !== m.digest)
    throw new BlobDigestError(`manifest of ${image.info.ref} as ${target.registry} stored it`, m.digest, reported);
  return { ref: image.info.ref, digest: m.digest, size: m.size };
}
