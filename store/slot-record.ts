// The container that stands for a slot (`<project>-<service>-<n>`) while a make-before-break
// recreate (planner/plan/plan-instances.ts) runs a replacement beside the old container. The
// names alternate (model/names.ts replacementName: `<slot>` is replaced by `<slot>.b`, that
// one by `<slot>` again), so a name does not tell which is the old one; the processes' start
// times do. The one serving is the replacement once it is ready (healthy, or its ports accept
// connections), the old one until then, as the DNS server answers (supervisor/dns/
// slot-answers.ts); `exec`, `cp`, `attach` and the like (cli/service-containers.ts) and a
// `network_mode: service:X` join pick the same one. With neither running, the slot's own name.

import { conditionState } from '../model/conditions.js';
import type { ContainerRecord } from '../model/records.js';
import { replacementName } from '../model/names.js';
import { isRunning } from './state-store.js';

/** Of the records of one slot, the one serving (see above); undefined for none. */
export function servingRecord(list: ContainerRecord[]): ContainerRecord | undefined {
  const running = list.filter((r) => isRunning(r));
  // Newest first: a replacement started after the container it replaces.
  const byAge = running.sort((a, b) => (b.startTime ?? 0) - (a.startTime ?? 0));
  return (
    byAge.find((r) => conditionState(r, true, 'ready').state === 'met') ??
    byAge.at(-1) ??
    list.find((r) => r.spec.displayName === undefined) ??
    list[0]
  );
}

/** The serving record of `slot`, read by `load`. */
export async function slotRecord(
  load: (project: string, name: string) => Promise<ContainerRecord | undefined>,
  project: string,
  slot: string,
): Promise<ContainerRecord | undefined> {
  const [own, replacement] = await Promise.all([load(project, slot), load(project, replacementName(slot, slot))]);
  return servingRecord([own, replacement].filter((r): r is ContainerRecord => r !== undefined));
}
