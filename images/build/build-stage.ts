// One stage of a build, step by step: the base's layers, then per step its cache key, the
// cached layer when an equal step ran before, else the step carried out (build-step.ts) and
// its layer committed and remembered in the cache. The image history gets a line per step,
// `empty_layer` where the step changed no file.

import fs from 'node:fs';
import type { ImageInfo } from '../../model/observed.js';
import { paths } from '../../store/paths.js';
import { BuildContextError, contextChecksum, matchSource, type BuildContext, type ReadFiles } from './build-context.js';
import { cachedStep, cacheStep } from './build-cache.js';
import { DockerfileError, dockerfileDiagnostic, LayerPathError, OwnerLookupError } from './build-errors.js';
import type { BuildStage, BuildStep, RunStep } from './build-plan.js';
import type { BuildRequest, RunStepInput } from './build-request.js';
import { baseKey, stepKey } from './cache-key.js';
import type { BuildDeps } from './build-image.js';
import type { HistoryEntry, ImageLayer } from './image-write.js';
import type { Fetched } from './add-url.js';
import type { PendingWork } from './pending-work.js';
import { traceMark } from '../../store/trace-marks.js';

export interface StageDone {
  layers: ImageLayer[];
  history: HistoryEntry[];
  /** The cache key of the stage's last step: what a stage built on it, or copying from it, is keyed by. */
  key: string;
}

export interface StageEnv {
  req: BuildRequest;
  deps: BuildDeps;
  ctx: BuildContext;
  /** The Dockerfile's name as messages show it, and its text (for the offending line). */
  file: string;
  text: string;
  /** Private scratch folder of this build, removed when it ends. */
  tmpDir: string;
  buildId: string;
  /** RUN steps' container removals and cache entries being written, waited for when the build ends. */
  pending: PendingWork;
  images: ReadonlyMap<string, ImageInfo>;
  stages: ReadonlyMap<number, StageDone>;
  stageName: string;
  /** additional_contexts that are folders, by name. */
  folders: ReadonlyMap<string, BuildContext>;
  /** ADD URLs fetched for their step's cache key, kept for the step itself. */
  fetched: Map<string, Fetched>;
  nextIndex(): number;
  count: number;
}

export async function runStage(stage: BuildStage, env: StageEnv): Promise<StageDone> {
  let { layers, history, key } = await start(stage, env);
  for (const step of stage.steps) {
    const index = env.nextIndex();
    const text = stepText(env.text, step);
    env.deps.events.stepStarted({ stage: env.stageName, index, count: env.count, text });
    const started = Date.now();
    try {
      // The files the key is made from, as read for it: a COPY that runs copies these (copy-step.ts).
      const read: ReadFiles = new Map();
      key = stepKey(key, step, await sourcesKey(step, env, read));
      const hit = env.req.noCache ? undefined : await cachedStep(key);
      traceMark(`build: step ${index} ${hit ? 'from the cache' : 'runs'}`);
      if (!hit) prepareRunner(stage, step, env);
      // Loaded on a miss only: a build all from the cache needs none of the step machinery.
      const layer = hit
        ? hit.layer
        : await (await import('./build-step.js')).executeStep(step, layers, { ...env, index, title: text, read });
      // When the step was first made, kept with it: a build all from the cache is the same image, same id.
      const created = hit?.created ?? new Date().toISOString();
      // Written while the build goes on: only later builds read it.
      if (!hit) env.pending.start(() => cacheStep(key, layer ? { layer, created } : { created }));
      if (layer) layers = [...layers, layer];
      history = [
        ...history,
        {
          created,
          created_by: `${text} # buildkit`,
          comment: 'buildkit.dockerfile.v0',
          ...(layer ? {} : { empty_layer: true }),
        },
      ];
      traceMark(`build: step ${index} done`);
      env.deps.events.stepDone({ cached: hit !== undefined, ms: Date.now() - started });
    } catch (err) {
      if (err instanceof BuildContextError || err instanceof OwnerLookupError || err instanceof LayerPathError)
        throw new DockerfileError([
          dockerfileDiagnostic(env.file, env.text, step, `${text.split(' ')[0]}: ${err.message}`),
        ]);
      throw err;
    }
  }
  return { layers, history, key };
}

async function start(stage: BuildStage, env: StageEnv): Promise<StageDone> {
  const base = stage.base;
  if (base.kind === 'scratch') return { layers: [], history: [], key: baseKey(base, {}) };
  if (base.kind === 'stage') {
    const from = env.stages.get(base.index)!;
    return { ...from, key: baseKey(base, { stageKey: from.key }) };
  }
  const info = env.images.get(base.ref)!;
  const layers = await storedLayers(info);
  return { layers, history: await baseHistory(info, layers.length), key: baseKey(base, { imageId: info.id }) };
}

/**
 * An image's layers with the diff_ids recorded when they were stored (layer-store.ts).
 * Blocking: a few bytes and a stat per layer, each cheaper than its trips through the thread
 * pool (plan-build.ts's readDockerfile).
 */
export async function storedLayers(info: ImageInfo): Promise<ImageLayer[]> {
  return info.layers.map((digest) => {
    const diffId = readIfThere(paths.layerDiffId(digest)).trim();
    const size = sizeIfThere(paths.blobFile(digest));
    // A layer stored before diff_ids were recorded was verified by its blob digest only.
    return { digest, diffId: diffId || digest, ...(size !== undefined ? { size } : {}) };
  });
}

/** A file's text; '' when it cannot be read. */
function readIfThere(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A file's size; undefined when it cannot be stat'ed. */
function sizeIfThere(file: string): number | undefined {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
}

/** The base image's history when its config is kept; else a line per layer, so history and layers agree. */
export async function baseHistory(info: ImageInfo, layerCount: number): Promise<HistoryEntry[]> {
  try {
    const config = JSON.parse(fs.readFileSync(paths.blobFile(info.id), 'utf8')) as { history?: HistoryEntry[] };
    if (Array.isArray(config.history)) return config.history;
  } catch {
    // not kept: fall through
  }
  return Array.from({ length: layerCount }, () => ({ created_by: `layer of ${info.ref}` }));
}

/** What a COPY/ADD copies, as part of its cache key: file contents, or the stage or image copied from. */
async function sourcesKey(step: BuildStep, env: StageEnv, read: ReadFiles): Promise<string | undefined> {
  if (step.kind !== 'copy') return undefined;
  if (step.from.kind === 'stage') return env.stages.get(step.from.index)!.key;
  if (step.from.kind === 'image') {
    const folder = env.folders.get(step.from.ref);
    if (!folder) return env.images.get(step.from.ref)!.id;
    const matched = (await Promise.all(step.sources.map((s) => matchSource(folder, s)))).flat();
    return `${step.from.ref} ${await contextChecksum(folder, matched, read)}`;
  }
  if (step.from.kind === 'scratch') return 'scratch';
  const files = step.sources.filter((s) => !isHeredocSource(s, step) && !isUrl(s));
  const matched = (await Promise.all(files.map((s) => matchSource(env.ctx, s)))).flat();
  const fetched: string[] = [];
  for (const url of step.sources.filter(isUrl)) {
    const f = await (await import('./add-url.js')).fetchUrl(url, env.tmpDir);
    env.fetched.set(url, f);
    fetched.push(`${url} ${f.checksum}`);
  }
  return [await contextChecksum(env.ctx, matched, read), ...fetched].join('\n');
}

export function isHeredocSource(source: string, step: { heredocs: { name: string }[] }): boolean {
  return step.heredocs.some((h) => source === `<<${h.name}` || source === `<<-${h.name}`);
}

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The instruction as the Dockerfile writes it, on one line (docker's step titles). */
function stepText(text: string, step: BuildStep): string {
  const line = text.split('\n')[step.line - 1] ?? '';
  return line.trim().replace(/\s*\\$/, ' …');
}

/** At a step that missed the cache: if a RUN step follows in this stage, the runner gets ready for it meanwhile. */
function prepareRunner(stage: BuildStage, step: BuildStep, env: StageEnv): void {
  const run = stage.steps.slice(stage.steps.indexOf(step) + 1).find((s) => s.kind === 'run');
  if (run?.kind === 'run') env.deps.runner.prepare?.(env.buildId, stepNetwork(run, env.req) === 'default');
}

/** The network a RUN step runs with: its --network, else the build's. */
export function stepNetwork(step: RunStep, req: BuildRequest): RunStepInput['network'] {
  return step.network === 'default' ? req.network : step.network;
}
