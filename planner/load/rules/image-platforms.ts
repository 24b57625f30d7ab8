// One image reference, one platform: the image store keeps one image per reference, so two
// services naming the same image for different platforms would pull it in turn on every
// `up`, the last pull winning, and one of them would run the other's image. Refused at the
// second service's `platform`, naming the first.

import { normalizeImageRef } from '../../../model/image-ref.js';
import type { RuleContext } from './context.js';

export function checkImagePlatforms(ctx: RuleContext): void {
  const first = new Map<string, { service: string; platform: string }>();
  for (const name of ctx.names) {
    const svc = ctx.services.get(name)!;
    if (typeof svc.image !== 'string' || typeof svc.platform !== 'string') continue;
    let ref: string;
    try {
      ref = normalizeImageRef(svc.image);
    } catch {
      continue; // the image rule reports it
    }
    const seen = first.get(ref);
    if (!seen) first.set(ref, { service: name, platform: svc.platform });
    else if (seen.platform !== svc.platform)
      ctx.at(
        ['services', name, 'platform'],
        `service "${name}" wants image ${svc.image} for ${svc.platform}, service "${seen.service}" for ${seen.platform}; stack stores one image per reference: tag the image apart for one of them, or give both the same platform`,
      );
  }
}
