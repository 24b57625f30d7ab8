// `stack image pull REF`: manifest (or index → the platform's manifest), config, then the
// layers in parallel, each verified (blob digest, then diff_id of its content) and unpacked
// into the shared content-addressed layer store. The verified blobs (compressed layers,
// config, and the registry's manifest bytes, which its digest covers) are kept too, so the
// image can be pushed or saved as it is. The image record is written last, so an
// interrupted or failed pull never shows as an image; layers it completed stay for reuse.

import PQueue from 'p-queue';
import type { ImageInfo } from '../model/observed.js';
import { withBlob } from './blob-download.js';
import { hasBlob, keepBlob, writeBlob } from './blob-store.js';
import { saveImage } from './image-store.js';
import { holdLayers } from './layer-holds.js';
import { layersToStore, storeLayer } from './layer-store.js';
import {
  BlobDigestError,
  checkManifest,
  diffIds,
  imageInfo,
  isIndex,
  parseJson,
  pickPlatform,
  sha256,
  verifiedJson,
  type Descriptor,
  type ImageConfig,
  type Index,
  type Manifest,
} from './manifest.js';
import { RegistryClient } from './registry-client.js';
import { parseRegistryRef } from './registry-ref.js';
import { readBody } from './http-get.js';

export type PullEvent =
  | { type: 'resolved'; ref: string; manifest: string; layers: Array<{ digest: string; size: number | undefined }> }
  | { type: 'layer-cached'; digest: string }
  | { type: 'layer-bytes'; digest: string; done: number; total: number | undefined }
  | { type: 'layer-unpacking'; digest: string }
  | { type: 'layer-done'; digest: string }
  | { type: 'layer-failed'; digest: string; message: string };

export interface PullOptions {
  /** os/arch[/variant] to pick from an index (a service's `platform:`); default the host's. */
  platform?: string;
  onEvent?: (e: PullEvent) => void;
  /** Layers downloaded at once (default 3, like docker). */
  concurrency?: number;
}

const CONFIG_LIMIT = 16 << 20;

/** Fetches a manifest and checks it against the digest asked for or announced. */
async function fetchManifest(
  client: RegistryClient,
  reference: string,
  expected: string | undefined,
  what: string,
): Promise<{ desc: Descriptor; doc: Index & Manifest; mediaType: string | undefined; body: Buffer }> {
  const m = await client.manifest(reference);
  const actual = sha256(m.body);
  for (const want of [expected, m.digest]) {
    if (want !== undefined && want.startsWith('sha256:') && want !== actual)
      throw new BlobDigestError(what, want, actual);
  }
  const doc = parseJson<Index & Manifest>(m.body.toString('utf8'), what);
  return { desc: { digest: actual, size: m.body.length }, doc, mediaType: doc.mediaType ?? m.mediaType, body: m.body };
}

export async function pullImage(raw: string, opts: PullOptions = {}): Promise<ImageInfo> {
  const target = parseRegistryRef(raw);
  const emit = opts.onEvent ?? (() => {});
  const client = new RegistryClient(target);
  const reference = target.digest ?? target.tag ?? 'latest';

  let top = await fetchManifest(client, reference, target.digest, `manifest ${target.ref}`);
  if (isIndex(top.mediaType, top.doc)) {
    const chosen = pickPlatform(top.doc, opts.platform, `image index ${target.ref}`);
    top = await fetchManifest(client, chosen.digest, chosen.digest, `manifest ${chosen.digest} of ${target.ref}`);
  }
  const { config: configDesc, layers } = checkManifest(top.doc, `manifest ${top.desc.digest} of ${target.ref}`);
  emit({
    type: 'resolved',
    ref: target.ref,
    manifest: top.desc.digest,
    layers: layers.map((l) => ({ digest: l.digest, size: l.size })),
  });

  const { res } = await client.blob(configDesc.digest);
  const configBytes = await readBody(res, CONFIG_LIMIT);
  const config = verifiedJson<ImageConfig>(configBytes, configDesc, `config ${configDesc.digest} of ${target.ref}`);
  const ids = diffIds(config, layers.length, `config ${configDesc.digest} of ${target.ref}`);
  // Made now so that a malformed config field stops the pull before any layer is fetched.
  const info = imageInfo(
    target.ref,
    configDesc.digest,
    layers.map((l) => l.digest),
    config,
  );

  const what = `config ${configDesc.digest} of ${target.ref}`;
  // Stored layers are checked against the config's diff_ids before any layer is fetched.
  const missing = new Set(
    await layersToStore(
      layers.map((l) => l.digest),
      ids,
      what,
    ),
  );
  const unkept = new Set<number>();
  for (const [i, l] of layers.entries()) if (!(await hasBlob(l.digest))) unkept.add(i);
  // Held until the record names them, so a prune meanwhile keeps layers and blobs alike.
  const release = await holdLayers([...layers.map((l) => l.digest), configDesc.digest, top.desc.digest]);
  try {
    await fetchLayers(client, layers, { ids, missing, unkept, what }, opts, emit);
    await writeBlob(configBytes, configDesc.digest);
    await writeBlob(top.body, top.desc.digest);
    return await saveImage({ ...info, manifest: top.desc.digest });
  } finally {
    await release();
  }
}

/**
 * Downloads the layers the store lacks unpacked (`missing`) or as a blob (`unkept`), a few at
 * a time, unpacks the first and keeps the verified blob of both; fails with the first error.
 */
async function fetchLayers(
  client: RegistryClient,
  layers: Descriptor[],
  check: { ids: string[]; missing: Set<number>; unkept: Set<number>; what: string },
  opts: PullOptions,
  emit: (e: PullEvent) => void,
): Promise<void> {
  const queue = new PQueue({ concurrency: opts.concurrency ?? 3 });
  const results = await Promise.allSettled(
    layers.map((layer, i) =>
      queue.add(async () => {
        if (!check.missing.has(i) && !check.unkept.has(i)) return emit({ type: 'layer-cached', digest: layer.digest });
        try {
          await withBlob(
            client,
            layer,
            (done) => emit({ type: 'layer-bytes', digest: layer.digest, done, total: layer.size }),
            async (file) => {
              if (check.missing.has(i)) {
                emit({ type: 'layer-unpacking', digest: layer.digest });
                await storeLayer(file, layer.digest, check.ids[i]!, check.what);
              }
              await keepBlob(file, layer.digest); // verified by withBlob; moved, not copied
            },
          );
        } catch (err) {
          emit({ type: 'layer-failed', digest: layer.digest, message: (err as Error).message });
          throw err;
        }
        emit({ type: 'layer-done', digest: layer.digest });
      }),
    ),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
