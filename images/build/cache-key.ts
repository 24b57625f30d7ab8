// Build cache keys, chained as docker's are: a step's key covers its parent's key, what the
// step does with every value expanded, the ARG values RUN sees, and for COPY/ADD the
// checksum of the files it copies (build-context.ts). Equal key → the step's layer and
// config from an earlier build are reused, by any stack on the host.

import { createHash } from 'node:crypto';
import type { BuildStep, StageRef } from './build-plan.js';

/** The key a stage starts from: its base image's config digest, or scratch. */
export function baseKey(base: StageRef, resolved: { imageId?: string; stageKey?: string }): string {
  if (base.kind === 'scratch') return digest(['scratch']);
  if (base.kind === 'stage') return resolved.stageKey ?? missing('stage key', base.index);
  return digest(['image', resolved.imageId ?? missing('image id', base.ref)]);
}

/**
 * `sources`: the checksum of the copied files (COPY/ADD from the context), or the key of
 * the stage copied from (COPY --from=stage), or the image id (COPY --from=image).
 */
export function stepKey(parent: string, step: BuildStep, sources?: string): string {
  switch (step.kind) {
    case 'run':
      return digest([
        parent,
        'run',
        JSON.stringify(step.argv),
        JSON.stringify(step.env),
        step.user,
        step.workdir,
        step.network,
        JSON.stringify(step.mounts),
        JSON.stringify(step.heredocs),
      ]);
    case 'copy':
      return digest([
        parent,
        step.add ? 'add' : 'copy',
        JSON.stringify(step.from),
        JSON.stringify(step.sources),
        step.dest,
        step.chown ?? '',
        step.chmod ?? '',
        String(step.link),
        JSON.stringify(step.exclude),
        step.checksum ?? '',
        JSON.stringify(step.heredocs),
        sources ?? missing('source checksum', step.sources.join(' ')),
      ]);
    case 'workdir':
      return digest([parent, 'workdir', step.path]);
  }
}

function digest(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(`${p.length}:${p}`);
  return `sha256:${h.digest('hex')}`;
}

function missing(what: string, of: string | number): never {
  throw new Error(`cache key: no ${what} for ${of}`);
}
