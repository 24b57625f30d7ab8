// The pull step of `stack up`: fetches what the services' pull_policy asks for, with the
// same progress display as `stack image pull`, before any supervisor or container starts.

import { storedImage } from '../../images/image-store.js';
import { imagesToPull } from '../../images/pull-policy.js';
import type { Stack } from '../../model/types.js';

/** Whether `up` pulls or builds before it applies the stack (told-supervisor.ts asks). */
export async function pullsOrBuilds(stack: Stack): Promise<boolean> {
  return stack.services.some((s) => s.build) || (await imagesToPull(stack.services, storedImage)).length > 0;
}

/** `quiet` (--quiet-pull): no progress, only what fails. */
export async function pullStackImages(stack: Stack, quiet = false): Promise<void> {
  const targets = await imagesToPull(stack.services, storedImage);
  if (targets.length === 0) return;
  // The registry client, tar and zstd readers load only when something is to be pulled.
  const { pullWithProgress } = await import('./image-pull-action.js');
  for (const t of targets) await pullWithProgress(t.ref, t.platform, quiet);
}
