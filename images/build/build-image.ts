// One image build: the Dockerfile read and planned (every mistake at once), base images
// fetched, then each stage the target needs built step by step — from the build cache when
// an equal step ran before, else COPY/ADD/WORKDIR written straight into a fresh upper folder
// and RUN in a container of stack's runtime — each step's changes committed as a layer; the
// target's config, layers and history become an image in the store under every tag. A
// failed build stores no image and leaves no temporary folder (layers it committed stay as
// cache, as docker's do).

import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ImageInfo } from '../../model/observed.js';
import { paths } from '../../store/paths.js';
import { baseConfig } from './base-config.js';
import type { BuildStage, ImageConfig } from './build-plan.js';
import { BuildPlanError } from './build-plan.js';
import type { BuildEvents, BuildRequest, StepRunner } from './build-request.js';
import { buildSteps } from './build-steps.js';
import { DockerfileError, dockerfileDiagnostic } from './build-errors.js';
import { openContext, type BuildContext } from './build-context.js';
import { parseDockerfile } from './dockerfile-parse.js';
import { parsePlatform } from '../manifest.js';
import { writeImage, type HistoryEntry, type ImageLayer } from './image-write.js';
import { runStage, type StageDone } from './build-stage.js';

export interface BuildDeps {
  runner: StepRunner;
  events: BuildEvents;
  /** The stored image for a FROM / COPY --from reference, pulled when missing (or again when `pull`). */
  baseImage(ref: string, pull: boolean): Promise<ImageInfo>;
}

export async function buildImage(req: BuildRequest, deps: BuildDeps): Promise<ImageInfo> {
  const file = 'file' in req.dockerfile ? req.dockerfile.file : path.join(req.context, 'Dockerfile');
  const shown = 'file' in req.dockerfile ? path.relative(process.cwd(), file) || file : 'dockerfile_inline';
  const text = 'file' in req.dockerfile ? await readDockerfile(file, shown) : req.dockerfile.inline;
  const df = parseDockerfile(shown, text);
  if (df.diagnostics.length > 0) throw new DockerfileError(df.diagnostics);

  const located = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof BuildPlanError)
        throw new DockerfileError([dockerfileDiagnostic(shown, text, err.pos, err.message)]);
      throw err;
    }
  };
  // The bases are fetched once their references are known (FROM may use ARGs): plan once to
  // learn them, fetch, plan again with their configs.
  const refs = new Set<string>();
  // additional_contexts that are folders: COPY --from=NAME and RUN --mount=from=NAME read them.
  const folders = new Map<string, BuildContext>();
  for (const [name, value] of Object.entries(req.additionalContexts))
    if (!value.startsWith('image:')) folders.set(name, await openContext(value, path.join(value, 'Dockerfile')));
  located(() =>
    buildSteps({
      dockerfile: df,
      buildArgs: req.buildArgs,
      target: req.target,
      platform: parsePlatform(undefined),
      imageConfig: (ref) => {
        if (folders.has(ref)) {
          const at = df.stages.find((st) => st.base.includes(ref)) ?? { line: 1, col: 1 };
          throw new BuildPlanError(
            at,
            `FROM ${ref}: that build context is a folder (additional_contexts); COPY --from=${ref} reads it, FROM needs an image`,
          );
        }
        refs.add(ref);
        return { env: [], labels: {}, exposedPorts: {}, volumes: {} };
      },
    }),
  );
  const images = new Map<string, ImageInfo>();
  const configs = new Map<string, ImageConfig>();
  for (const ref of refs) {
    const info = await deps.baseImage(ref, req.pull);
    images.set(ref, info);
    configs.set(ref, await baseConfig(info));
  }
  const planned = located(() =>
    buildSteps({
      dockerfile: df,
      buildArgs: req.buildArgs,
      target: req.target,
      platform: parsePlatform(undefined),
      imageConfig: (ref) => structuredClone(configs.get(ref)!),
    }),
  );
  for (const stage of planned.stages) {
    for (const step of stage.steps)
      if (
        step.kind === 'copy' &&
        step.from.kind === 'image' &&
        !images.has(step.from.ref) &&
        !folders.has(step.from.ref)
      ) {
        const info = await deps.baseImage(step.from.ref, req.pull);
        images.set(step.from.ref, info);
      }
  }

  const ctx = await openContext(req.context, file);
  const buildId = randomBytes(4).toString('hex');
  const tmpDir = path.join(paths.imagesDir(), 'tmp', `build-${process.pid}-${buildId}`);
  await fsp.mkdir(tmpDir, { recursive: true, mode: 0o700 });
  const done = new Map<number, StageDone>();
  try {
    const count = planned.stages.reduce((n, s) => n + s.steps.length, 0);
    let index = 0;
    for (const stage of planned.stages) {
      const result = await runStage(stage, {
        req,
        deps,
        ctx,
        file: shown,
        text,
        tmpDir,
        buildId,
        images,
        stages: done,
        stageName: stageLabel(stage, planned.stages.length),
        fetched: new Map(),
        folders,
        nextIndex: () => ++index,
        count,
      });
      done.set(stage.index, result);
    }
  } finally {
    await Promise.all([fsp.rm(tmpDir, { recursive: true, force: true }), deps.runner.end(buildId)]);
  }
  const target = planned.stages[planned.stages.length - 1]!;
  const result = done.get(target.index)!;
  const config: ImageConfig = { ...target.config, labels: { ...target.config.labels, ...req.labels } };
  return writeImage(req.tags, config, result.layers, result.history);
}

async function readDockerfile(file: string, shown: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DockerfileError([
      {
        file: shown,
        line: 1,
        col: 1,
        message:
          code === 'ENOENT'
            ? 'the Dockerfile does not exist; check build.dockerfile and build.context'
            : `cannot read the Dockerfile: ${(err as Error).message}`,
      },
    ]);
  }
}

function stageLabel(stage: BuildStage, count: number): string {
  return stage.name ?? (count > 1 ? `stage-${stage.index}` : '');
}

export type { HistoryEntry, ImageLayer };
