// What `stack plan` shows of the pulls `up` would make first: an image the store lacks,
// which the service's pull_policy lets `up` pull, is planned as pulled — a stand-in record
// whose command comes from the image once it is there — so the plan shows the service's
// containers instead of failing on "not in the local store"; each pull is named in a note.
// An image stored but due for a pull again (always, daily, …) is planned as it is stored.

import type { ImageInfo, Observed } from '../model/observed.js';
import type { Stack } from '../model/types.js';
import { imagesToPull, type StoredImage } from './pull-policy.js';
import { sha256Hex } from '../model/sha256.js';

export async function withPendingPulls(
  stack: Stack,
  observed: Observed,
  wanted: readonly string[],
  stored: (ref: string) => Promise<StoredImage | undefined>,
): Promise<{ observed: Observed; notes: string[] }> {
  let targets;
  const selected = new Set(wanted);
  try {
    targets = await imagesToPull(
      stack.services.filter((s) => selected.has(s.name)),
      stored,
    );
  } catch {
    return { observed, notes: [] }; // pull_policy never with a missing image: reconcile says so
  }
  const have = new Set(observed.images.map((i) => i.ref));
  const planned: ImageInfo[] = [];
  const notes: string[] = [];
  for (const t of targets) {
    const missing = !have.has(t.ref);
    if (missing)
      planned.push({
        ref: t.ref,
        // Not the image's (unknown until pulled): a stand-in, so the plan has one to name.
        id: `sha256:${sha256Hex(`pending pull ${t.ref}`)}`,
        layers: [],
        env: [],
        cmd: ['<the image command, once pulled>'],
        ...(t.platform !== undefined ? { platform: t.platform } : {}),
      });
    notes.push(
      `${t.services.length > 1 ? 'services' : 'service'} ${t.services.join(', ')}: image ${t.ref} ${missing ? 'is not in the local store' : 'is due for a pull by its pull_policy'}; \`up\` pulls it first (\`stack pull ${t.services[0]}\` pulls it now)`,
    );
  }
  return { observed: { ...observed, images: [...observed.images, ...planned] }, notes };
}
