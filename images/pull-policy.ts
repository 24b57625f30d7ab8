// Which images `up` must pull first, from each service's pull_policy (compose semantics):
// `missing`/`if_not_present` (the default) pull only what the store lacks, `always` pulls
// every time, `never` never pulls and a missing image is an error before anything starts,
// `build` (or a service with `build:`) is left to the builder and never pulled; `daily`,
// `weekly` and `every_<duration>` pull what is missing and what was stored longer ago than
// their period (the image record's time: when it was last pulled, imported or built).
// The images of `type: image` mounts are pulled by the same rules.

import { normalizeImageRef } from '../model/image-ref.js';
import { refreshPeriodSeconds } from '../model/pull-refresh.js';
import { platformsDiffer } from '../model/platform-match.js';
import type { Service } from '../model/types.js';

export class ImageMissingError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(
      problems.length === 1
        ? problems[0]!
        : `${problems.length} images are missing:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ImageMissingError';
    this.problems = problems;
  }
}

export interface PullTarget {
  ref: string;
  platform: string | undefined;
  services: string[];
}

/** What the store holds of an image: when it was stored (ms since the epoch) and for which platform. */
export interface StoredImage {
  at: number;
  platform?: string;
}

/**
 * The images to pull for `services`, one entry per reference and platform. `stored` says
 * what the store holds of an image, undefined when nothing. An image stored for another
 * platform than the service's `platform` is pulled again, as compose does. Throws
 * ImageMissingError naming every service with `pull_policy: never` whose image is absent.
 */
export async function imagesToPull(
  services: Service[],
  stored: (ref: string) => Promise<StoredImage | undefined>,
  now = Date.now(),
): Promise<PullTarget[]> {
  const targets = new Map<string, PullTarget>();
  const problems: string[] = [];
  // Services mostly share a few images: ask the store once per reference (a 1000-service
  // file read the same record 1000 times, ~40% of `stack plan`).
  const asked = new Map<string, Promise<StoredImage | undefined>>();
  const storedOnce = (ref: string) => {
    let held = asked.get(ref);
    if (held === undefined) asked.set(ref, (held = stored(ref)));
    return held;
  };
  for (const s of [...services, ...services.flatMap(imageMountPulls)]) {
    let ref: string;
    try {
      ref = normalizeImageRef(s.image);
    } catch {
      continue; // reconcile reports a bad reference with the rest of the file's problems
    }
    const policy = s.pullPolicy;
    if (policy === 'build' || (s.build !== undefined && policy !== 'always')) continue;
    const held = await storedOnce(ref);
    const period = refreshPeriodSeconds(policy);
    const otherPlatform =
      s.platform !== undefined && held?.platform !== undefined && platformsDiffer(s.platform, held.platform);
    const fresh = held !== undefined && !otherPlatform && (period === undefined || now - held.at < period * 1000);
    if (policy !== 'always' && fresh) continue;
    if (policy === 'never') {
      problems.push(
        `service ${s.name}: image ${ref} is not in the local store and its pull_policy is never; run \`stack image pull ${s.image}\` or \`stack image import\` first, or drop pull_policy`,
      );
      continue;
    }
    const key = `${ref} ${s.platform ?? ''}`;
    const t = targets.get(key) ?? { ref, platform: s.platform, services: [] };
    t.services.push(s.name);
    targets.set(key, t);
  }
  if (problems.length > 0) throw new ImageMissingError(problems);
  return [...targets.values()];
}

/**
 * A service's `type: image` mounts, each as the service would pull it: by the service's
 * pull_policy, except that an image only mounted is never built (`build` acts as `missing`).
 */
function imageMountPulls(s: Service): Service[] {
  return s.volumes.flatMap((m) => {
    if (m.type !== 'image' || !m.source) return [];
    const { build: _build, ...rest } = s;
    return [{ ...rest, image: m.source, pullPolicy: s.pullPolicy === 'build' ? 'missing' : s.pullPolicy }];
  });
}
