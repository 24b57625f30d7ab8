// A build's Dockerfile read and planned, before anything is built: parsed (every syntax
// mistake at once), then planned twice — once to learn the base images FROM names (FROM may
// use ARGs), and again with their configs, which `baseImage` gives (fetched by a build,
// the stored ones only for `stack plan`). A planning mistake is located in the Dockerfile.

import fs from 'node:fs';
import path from 'node:path';
import type { ImageInfo } from '../../model/observed.js';
import { parsePlatform } from '../manifest.js';
import { baseConfig } from './base-config.js';
import { DockerfileError, dockerfileDiagnostic } from './build-errors.js';
import { BuildPlanError, emptyConfig, type ImageConfig } from './build-plan.js';
import type { BuildRequest } from './build-request.js';
import { buildSteps, type BuildSteps } from './build-steps.js';
import { openContext, type BuildContext } from './build-context.js';
import { parseDockerfile } from './dockerfile-parse.js';

export interface PlannedBuild {
  /** The Dockerfile's path (the context's `Dockerfile` for an inline one), its name as messages show it, its text. */
  file: string;
  shown: string;
  text: string;
  planned: BuildSteps;
  /** The FROM images, as `baseImage` gave them (absent: not stored, for `stack plan`). */
  images: Map<string, ImageInfo>;
  /** additional_contexts that are folders: COPY --from=NAME and RUN --mount=from=NAME read them. */
  folders: Map<string, BuildContext>;
}

export async function planBuild(
  req: BuildRequest,
  baseImage: (ref: string) => Promise<ImageInfo | undefined>,
): Promise<PlannedBuild> {
  const file = 'file' in req.dockerfile ? req.dockerfile.file : path.join(req.context, 'Dockerfile');
  const shown = 'file' in req.dockerfile ? path.relative(process.cwd(), file) || file : 'dockerfile_inline';
  const text = 'file' in req.dockerfile ? readDockerfile(file, shown) : req.dockerfile.inline;
  const df = parseDockerfile(shown, text);
  if (df.diagnostics.length > 0) throw new DockerfileError(df.diagnostics);

  const located = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      if (err instanceof BuildPlanError)
        throw new DockerfileError(err.problems.map((p) => dockerfileDiagnostic(shown, text, p.pos, p.message)));
      throw err;
    }
  };
  const refs = new Set<string>();
  const folders = new Map<string, BuildContext>();
  for (const [name, value] of Object.entries(req.additionalContexts))
    if (!value.startsWith('image:')) folders.set(name, await openContext(value, path.join(value, 'Dockerfile')));
  const plan = (imageConfig: (ref: string) => ImageConfig) =>
    located(() =>
      buildSteps({
        dockerfile: df,
        buildArgs: req.buildArgs,
        target: req.target,
        platform: parsePlatform(undefined),
        imageConfig,
      }),
    );
  plan((ref) => {
    if (folders.has(ref)) {
      const at = df.stages.find((st) => st.base.includes(ref)) ?? { line: 1, col: 1 };
      throw new BuildPlanError(
        at,
        `FROM ${ref}: that build context is a folder (additional_contexts); COPY --from=${ref} reads it, FROM needs an image`,
      );
    }
    refs.add(ref);
    return emptyConfig();
  });
  const images = new Map<string, ImageInfo>();
  const configs = new Map<string, ImageConfig>();
  for (const ref of refs) {
    const info = await baseImage(ref);
    if (info) images.set(ref, info);
    configs.set(ref, info ? await baseConfig(info) : emptyConfig());
  }
  const planned = plan((ref) => structuredClone(configs.get(ref)!));
  return { file, shown, text, planned, images, folders };
}

/**
 * Blocking, as the other small reads before the first step: fs/promises reads a file in four
 * trips through the thread pool, and this first one also waited for its threads to start
 * (~3 ms of a one-file rebuild's wall time, 0.8 ms of it CPU).
 */
function readDockerfile(file: string, shown: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
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
