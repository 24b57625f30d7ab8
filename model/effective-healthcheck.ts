// The healthcheck a container runs, made as docker makes it: without a `healthcheck:` key
// the service runs its image's HEALTHCHECK; with one, each field the file gives wins and
// each it leaves out (or sets to 0, docker's "not set") comes from the image, then from
// docker's defaults. `disable: true` / `NONE`, in the file or the image, switches it off.
//
// The result goes into the ContainerSpec and so into its config hash: an image whose
// HEALTHCHECK changes recreates a container only where the merged healthcheck changes.
// What the image cannot reach (a disabled check, the timing of a check with no test) is
// built from the file alone, so its hash stays what it was before images counted.

import { HEALTHCHECK_DEFAULTS } from './healthcheck.js';
import type { Healthcheck, PartialHealthcheck, ServiceHealthcheck } from './types.js';

type Timing = Omit<Healthcheck, 'test' | 'disable'>;

const TIMING_KEYS = Object.keys(HEALTHCHECK_DEFAULTS) as (keyof Timing)[];

/** Per field: the file's value unless it is missing or 0, then the image's, then the file's 0 or the default. */
function timing(file: PartialHealthcheck, image: PartialHealthcheck | undefined): Timing {
  const merged = {} as Timing;
  for (const key of TIMING_KEYS) {
    const own = file[key];
    merged[key] = own ? own : (image?.[key] ?? own ?? HEALTHCHECK_DEFAULTS[key]);
  }
  return merged;
}

const NOTHING: PartialHealthcheck = { test: [] };

/** `file` is the service's `healthcheck:` (undefined: no key), `image` the image's HEALTHCHECK. */
export function effectiveHealthcheck(
  file: ServiceHealthcheck | undefined,
  image: PartialHealthcheck | undefined,
): Healthcheck | undefined {
  if (!file) {
    // An image without a check, or one that says NONE, gives the container none at all.
    const test = image?.test ?? [];
    return test.length === 0 || test[0] === 'NONE' ? undefined : { test, ...timing(NOTHING, image), disable: false };
  }
  if (file.disable) return { test: [], ...timing(file, undefined), disable: true };
  const test = file.test.length > 0 ? file.test : (image?.test ?? []);
  if (test[0] === 'NONE') return { test: [], ...timing(file, undefined), disable: true };
  return { test, ...timing(file, test.length > 0 ? image : undefined), disable: false };
}
