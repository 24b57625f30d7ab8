// The image a build will make, as far as its Dockerfile says without building it: `stack
// plan` shows a service whose image `up` would build first with the command, environment,
// working folder, user, healthcheck and stop signal its Dockerfile gives (over its base
// image's, when that is stored; a base that `up` would pull counts as empty here).

import type { ImageInfo } from '../../model/observed.js';
import { normalizeImageRef } from '../../model/image-ref.js';
import { findImage } from '../image-store.js';
import { imageInfo, type ImageConfig as OciConfig } from '../manifest.js';
import type { BuildRequest } from './build-request.js';
import { ociConfig } from './image-write.js';
import { planBuild } from './plan-build.js';

/** The id a planned image shows: it has no config digest until it is built. */
export const TO_BE_BUILT = 'to be built';

/** Throws the Dockerfile's located errors (DockerfileError), as the build would. */
export async function plannedImage(req: BuildRequest, ref: string): Promise<ImageInfo> {
  const stored = async (from: string): Promise<ImageInfo | undefined> => {
    const named = req.additionalContexts[from];
    try {
      return await findImage(normalizeImageRef(named?.startsWith('image:') ? named.slice('image:'.length) : from));
    } catch {
      return undefined; // a bad reference: the build says so
    }
  };
  const { planned } = await planBuild(req, stored);
  const target = planned.stages[planned.stages.length - 1]!;
  return imageInfo(ref, TO_BE_BUILT, [], { config: ociConfig(target.config) } as OciConfig);
}
