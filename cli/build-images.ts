// The build step of `stack build` and `stack up`: decides which images to build (compose's
// rule, images/build-policy.ts), then runs the builds in parallel along their graph with
// live progress. Nothing else happens until every build has ended: a failed build throws
// BuildsFailedError and `up` touches no container. The engine (images/build/) and its RUN
// step runner load only when something is to be built.

import { decideBuilds, serviceImageRef, type BuildJob, type BuildMode } from '../images/build-policy.js';
import type { BuildEvents, BuildRequest, StepRunner } from '../images/build/build-request.js';
import { findImage } from '../images/image-store.js';
import { runBuilds } from '../images/run-builds.js';
import { serviceBuildRequest, type BuildOverrides } from '../images/service-build-request.js';
import { normalizeImageRef } from '../model/image-ref.js';
import type { ImageInfo } from '../model/observed.js';
import type { Stack } from '../model/types.js';
import { buildProgress, type BuildProgressMode } from './build-progress.js';
import { coverInCodeCache } from './code-cache-cover.js';

/** What the engine is given (images/build/build-image.ts's BuildDeps). */
export interface EngineDeps {
  runner: StepRunner;
  events: BuildEvents;
  baseImage(ref: string, pull: boolean): Promise<ImageInfo>;
}

/** The engine and a runner for its RUN steps; cli/build-engine.ts makes the real one. */
export interface BuildEngine {
  buildImage(req: BuildRequest, deps: EngineDeps): Promise<ImageInfo>;
  runner(): StepRunner;
}

export interface BuildRun {
  mode: BuildMode;
  /** Services whose images are needed (their `service:` contexts follow). */
  wanted: string[];
  overrides?: BuildOverrides;
  progress?: BuildProgressMode;
  /** For tests: the engine (default: the real one, loaded on demand). */
  engine?: BuildEngine;
}

/** The normalised image references of the stack's services with `build:`. */
const builtRefs = (stack: Stack): string[] =>
  stack.services.flatMap((s) => (s.build ? (serviceImageRef(s) ?? []) : []));

/**
 * A FROM or COPY --from image: the stored one, else (or with `pull`) pulled. A name that
 * `build.additional_contexts` gives an image (`service:NAME`, `docker-image://REF`) is that
 * image, and an image the stack builds is never pulled: `FROM base` with `base: service:base`
 * is base's image as just built.
 */
async function baseImage(
  contexts: BuildRequest['additionalContexts'],
  local: ReadonlySet<string>,
  ref: string,
  pull: boolean,
): Promise<ImageInfo> {
  const named = contexts[ref];
  if (named?.startsWith('image:')) return baseImage({}, local, named.slice('image:'.length), pull);
  const normalized = normalizeImageRef(ref);
  if (!pull || local.has(normalized)) {
    const stored = await findImage(normalized);
    if (stored) return stored;
  }
  const { pullImage } = await import('../images/pull-image.js');
  return pullImage(ref);
}

/**
 * The job's events, and a step that ran (not from the build cache) asks for the command's code
 * cache to hold the step machinery (cli/code-cache-cover.ts).
 */
function coveringSteps(events: BuildEvents): BuildEvents {
  return {
    stepStarted: (step) => events.stepStarted(step),
    stepOutput: (chunk) => events.stepOutput(chunk),
    stepDone: (step) => {
      if (!step.cached) coverInCodeCache('build-steps');
      events.stepDone(step);
    },
  };
}

/** Builds what `run` asks for; returns the builds that ran. Throws BuildsFailedError when any failed. */
export async function buildStackImages(stack: Stack, run: BuildRun): Promise<BuildJob[]> {
  const local = new Set(builtRefs(stack));
  const stored = new Set<string>();
  for (const ref of local) if ((await findImage(ref)) !== undefined) stored.add(ref);
  const jobs = decideBuilds(stack.services, run.wanted, run.mode, (ref) => stored.has(ref));
  if (jobs.length === 0) return jobs;
  const engine = run.engine ?? (await import('./build-engine.js')).buildEngine();
  const runner = engine.runner();
  const label = (job: BuildJob) => job.services.join(', ');
  const progress = await buildProgress(run.progress ?? 'auto', jobs.map(label));
  try {
    await runBuilds(jobs, async (job) => {
      const events = progress.job(label(job));
      try {
        const request = serviceBuildRequest(stack, job.service, run.overrides);
        const base = (ref: string, pull: boolean) => baseImage(request.additionalContexts, local, ref, pull);
        const info = await engine.buildImage(request, { runner, events: coveringSteps(events), baseImage: base });
        events.built(info.ref);
      } catch (err) {
        events.failed(err instanceof Error ? err.message : String(err));
        throw err;
      }
    });
  } finally {
    await progress.end();
  }
  return jobs;
}
