// The record of the container that stands for a slot (`<project>-<service>-<n>`): the slot's
// own name, or its replacement's (model/names.ts replacementName) after a make-before-break
// recreate. While both exist (the replacement is not ready yet), the running one, the old
// first: it is the one serving.

import type { ContainerRecord } from '../model/records.js';
import { replacementName } from '../model/names.js';
import { isRunning } from './state-store.js';

export async function slotRecord(
  load: (project: string, name: string) => Promise<ContainerRecord | undefined>,
  project: string,
  slot: string,
): Promise<ContainerRecord | undefined> {
  const [own, replacement] = await Promise.all([load(project, slot), load(project, replacementName(slot, slot))]);
  const candidates = [own, replacement].filter((r): r is ContainerRecord => r !== undefined);
  return candidates.find((r) => isRunning(r)) ?? candidates[0];
}
