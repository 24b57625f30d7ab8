// `stack commit`: a container's changes as a new image over its own. The changes come as a
// layer blob (Host.containers.snapshotLayer: its overlay upper folder, written by the
// builder's layer writer); the blob is kept and unpacked into the layer store as a pulled
// one is, and the image written by the builder's image writer: the base image's config
// and history, the `-c` Dockerfile instructions applied by the builder's own planner
// (buildSteps), an author and a history line with the message.

import type { ImageInfo } from '../model/observed.js';
import { paths } from '../store/paths.js';
import { keepBlob } from './blob-store.js';
import { baseConfig } from './build/base-config.js';
import { buildSteps } from './build/build-steps.js';
import { parseDockerfile } from './build/dockerfile-parse.js';
import { baseHistory, storedLayers } from './build/build-stage.js';
import { writeImage, type HistoryEntry } from './build/image-write.js';
import type { LayerBlob } from './build/layer-from-upper.js';
import { parsePlatform } from './manifest.js';
import { storeLayer } from './layer-store.js';
import { ImageFormatError } from './image-format-error.js';

/** docker commit's `-c` instructions: those that change the config only. */
const CHANGES = new Set([
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'EXPOSE',
  'LABEL',
  'ONBUILD',
  'USER',
  'VOLUME',
  'WORKDIR',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
]);

export interface CommitRequest {
  base: ImageInfo;
  /** The changes' layer; undefined or empty (0 entries) when the container changed no file. */
  layer?: LayerBlob;
  tag: string;
  changes: string[];
  author?: string;
  message?: string;
  /** What the history line says made the layer (docker: the container's command). */
  createdBy: string;
}

export async function commitImage(req: CommitRequest): Promise<ImageInfo> {
  const config = await baseConfig(req.base);
  if (req.changes.length > 0) {
    const text = `FROM base\n${req.changes.join('\n')}\n`;
    const df = parseDockerfile('--change', text);
    for (const ins of df.stages[0]?.instructions ?? [])
      if (!CHANGES.has(ins.kind))
        throw new ImageFormatError(`-c ${ins.kind}: commit takes only ${[...CHANGES].join(', ')}`);
    const steps = buildSteps({
      dockerfile: df,
      buildArgs: new Map(),
      platform: parsePlatform(undefined),
      imageConfig: () => config,
    });
    Object.assign(config, steps.stages.at(-1)!.config);
  }
  if (req.author !== undefined) config.author = req.author;
  const layers = await storedLayers(req.base);
  const history: HistoryEntry[] = [...(await baseHistory(req.base, layers.length))];
  const entry = {
    created: new Date().toISOString(),
    created_by: req.createdBy,
    ...(req.message ? { comment: req.message } : {}),
  };
  if (req.layer && req.layer.entries > 0) {
    await keepBlob(req.layer.file, req.layer.digest);
    await storeLayer(paths.blobFile(req.layer.digest), req.layer.digest, req.layer.diffId, `commit ${req.tag}`);
    layers.push({ digest: req.layer.digest, diffId: req.layer.diffId, size: req.layer.size });
    history.push(entry);
  } else history.push({ ...entry, empty_layer: true });
  return writeImage([req.tag], config, layers, history);
}
