// One image build: the Dockerfile read and planned (every mistake at once), base images
// fetched, then each stage the target needs built step by step — from the build cache when
// an equal step ran before, else COPY/ADD/WORKDIR written straight into a fresh upper folder
// and RUN in a container of stack's runtime — each step's changes committed as a layer; the
// target's config, layers and history become an image in the store under every tag. A
// failed build stores no image and leaves no temporary folder (layers it committed stay as
// cache, as docker's do).

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ImageInfo } from '../../model/observed.js';
import { paths } from '../../store/paths.js';
import type { BuildStage, ImageConfig } from './build-plan.js';
import type { BuildEvents, BuildRequest, StepRunner } from './build-request.js';
import { openContext } from './build-context.js';
import { planBuild } from './plan-build.js';
import { writeImage, type HistoryEntry, type ImageLayer } from './image-write.js';
import { runStage, type StageDone } from './build-stage.js';
import { PendingWork } from './pending-work.js';
import { traceMark } from '../../store/trace-marks.js';

export interface BuildDeps {
  runner: StepRunner;
  events: BuildEvents;
  /** The stored image for a FROM / COPY --from reference, pulled when missing (or again when `pull`). */
  baseImage(ref: string, pull: boolean): Promise<ImageInfo>;
}

export async function buildImage(req: BuildRequest, deps: BuildDeps): Promise<ImageInfo> {
  const { file, shown, text, planned, images, folders } = await planBuild(req, (ref) => deps.baseImage(ref, req.pull));
  traceMark('build: planned');
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
  fs.mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  const done = new Map<number, StageDone>();
  const pending = new PendingWork();
  // The steps' containers go first (they may use tmpDir's files), then the build's own objects.
  const cleanUp = async () => {
    try {
      await pending.done();
      traceMark('build: removals done');
    } finally {
      await Promise.all([fsp.rm(tmpDir, { recursive: true, force: true }), deps.runner.end(buildId)]);
    }
  };
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
        pending,
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
  } catch (err) {
    await cleanUp();
    throw err;
  }
  traceMark('build: steps done');
  const target = planned.stages[planned.stages.length - 1]!;
  const result = done.get(target.index)!;
  const config: ImageConfig = { ...target.config, labels: { ...target.config.labels, ...req.labels } };
  // The image is written while the build cleans up: neither needs the other. Both end before this returns.
  const [written, cleaned] = await Promise.allSettled([
    writeImage(req.tags, config, result.layers, result.history),
    cleanUp(),
  ]);
  traceMark('build: image written, cleaned up');
  if (written.status === 'rejected') throw written.reason;
  if (cleaned.status === 'rejected') throw cleaned.reason;
  return written.value;
}

function stageLabel(stage: BuildStage, count: number): string {
  return stage.name ?? (count > 1 ? `stage-${stage.index}` : '');
}

export type { HistoryEntry, ImageLayer };
