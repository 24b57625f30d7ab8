// What `stack plan` shows of the builds `up` would run first (compose's rule,
// build-policy.ts): an image `up` would build because it is missing is planned as its
// Dockerfile says it will be (build/planned-image.ts), so the plan shows the service's
// container rather than "not in the local store"; every such build is named in a note.

import type { ImageInfo, Observed } from '../model/observed.js';
import type { Stack } from '../model/types.js';
import { decideBuilds } from './build-policy.js';
import { serviceBuildRequest } from './service-build-request.js';

export async function withPendingBuilds(
  stack: Stack,
  observed: Observed,
  wanted: readonly string[],
): Promise<{ observed: Observed; notes: string[] }> {
  if (!stack.services.some((s) => s.build)) return { observed, notes: [] };
  const stored = new Set(observed.images.map((i) => i.ref));
  const jobs = decideBuilds(stack.services, wanted, 'missing', (ref) => stored.has(ref));
  if (jobs.length === 0) return { observed, notes: [] };
  const { plannedImage } = await import('./build/planned-image.js');
  const planned: ImageInfo[] = [];
  const notes: string[] = [];
  for (const job of jobs) {
    const missing = !stored.has(job.ref);
    if (missing) planned.push(await plannedImage(serviceBuildRequest(stack, job.service), job.ref));
    notes.push(
      `${job.services.length > 1 ? 'services' : 'service'} ${job.services.join(', ')}: image ${job.ref} ${missing ? 'is not built yet' : 'has pull_policy: build'}; \`up\` builds it first (\`stack build ${job.service.name}\` builds it now)`,
    );
  }
  return { observed: { ...observed, images: [...observed.images, ...planned] }, notes };
}
