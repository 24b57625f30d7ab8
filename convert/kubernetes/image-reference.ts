// The image a pod runs. Images from a registry stay as written. An image stack builds
// exists only in this host's store until `stack push` sends it: with `--registry` it is
// referenced there, by the manifest digest the store holds (push sends the same manifest
// bytes, so the registry has the same digest); without a known digest, by its tag.

import { normalizeImageRef } from '../../model/image-ref.js';
import type { Service } from '../../model/types.js';
import { warnService, type ConvertContext } from './convert-context.js';

/** `docker.io/library/x:1` → { domain: docker.io, path: library/x, tag: 1 }. */
function splitRef(ref: string): { domain: string; path: string; tag?: string } {
  const normal = normalizeImageRef(ref).split('@')[0]!;
  const slash = normal.indexOf('/');
  const colon = normal.lastIndexOf(':');
  const hasTag = colon > normal.lastIndexOf('/');
  return {
    domain: normal.slice(0, slash),
    path: normal.slice(slash + 1, hasTag ? colon : undefined),
    ...(hasTag ? { tag: normal.slice(colon + 1) } : {}),
  };
}

export function imageOf(ctx: ConvertContext, service: Service): string {
  if (!service.build) return service.image;
  const { registry, imageDigests } = ctx.options;
  const ref = splitRef(service.image);
  // Without --registry the reference stays as the file writes it (its registry, if any, is where `stack push` sends it).
  const repository = registry ? `${registry}/${ref.path}` : service.image.replace(/(@.*|:[^:/]*)$/, '');
  if (!registry && service.image === `${ctx.stack.project}-${service.name}`)
    warnService(
      ctx,
      service,
      ['build'],
      `stack builds ${service.image}, a name of this host's store only; a cluster pulls from a registry: give \`image: REGISTRY/NAME\`, \`stack push\` it, and convert with --registry REGISTRY`,
    );
  const digest = imageDigests[service.image];
  if (digest) return `${repository}@${digest}`;
  warnService(
    ctx,
    service,
    ['build'],
    `the image ${service.image} is not in the image store, so it is referenced by tag; build and push it, then convert again to pin it by digest`,
  );
  return `${repository}:${ref.tag ?? 'latest'}`;
}
