// The pull step of `stack up`: fetches what the services' pull_policy asks for, with the
// same progress display as `stack image pull`, before any supervisor or container starts.

import { findImage } from '../../executor/images/image-store.js';
import { imagesToPull } from '../../executor/images/pull-policy.js';
import type { Stack } from '../../planner/types.js';
import { pullWithProgress } from './image-pull-action.js';

export async function pullStackImages(stack: Stack): Promise<void> {
  const targets = await imagesToPull(stack.services, async (ref) => (await findImage(ref)) !== undefined);
  for (const t of targets) await pullWithProgress(t.ref, t.platform);
}
