// The specs of the slots, and which running containers are replaced beside them. Each
// naming of the slots is planned once (slot-specs.ts specsFor): the names containers have
// now, which give each slot's wanted config hash (a hash depends on neither name nor
// address); the names of the containers that stand for the slots, when the hash changes
// which one does; and the names with the replacements started beside the old containers
// (plan-instances.ts), which need new addresses. When those are not to be had, the
// replacements stop first instead, under the names already planned.

import type { Observed } from '../../model/observed.js';
import type { ContainerSpec, NetworkSpec } from '../../model/plan.js';
import type { Stack } from '../../model/types.js';
import type { SlotInstances } from './plan-endpoints.js';
import {
  currentInstances,
  currentNames,
  planReplacements,
  type CurrentInstances,
  type Replacement,
} from './plan-instances.js';
import type { Slot } from './plan-replicas.js';
import { slotBases, specsFor } from './slot-specs.js';
import type { StartPolicy } from './start-cause.js';

export interface PlannedSpecs {
  specs: Map<string, ContainerSpec>;
  instances: CurrentInstances;
  /** Slots replaced make-before-break (plan-instances.ts). */
  replacements: Map<string, Replacement>;
  problems: string[];
}

export function planSpecs(
  stack: Stack,
  observed: Observed,
  nets: Map<string, NetworkSpec>,
  slots: Slot[],
  selected: Set<string>,
  policy: StartPolicy,
  /** Ids of network.create operations: a container on a recreated bridge is not replaced beside the old one. */
  networkCreates: string[],
): PlannedSpecs {
  const bases = slotBases(stack, observed, slots);
  const build = (names: SlotInstances) => specsFor(stack, observed, nets, slots, bases.bases, names);
  const seenNames = currentNames(currentInstances(observed));
  const seen = build(seenNames);
  // Of two containers of a slot, the one made from the file stands for it.
  const found = currentInstances(observed, (slot) => seen.specs.get(slot)?.hash);
  const standingNames = currentNames(found);
  const standing = sameNames(standingNames, seenNames) ? seen : build(standingNames);
  const planned = planReplacements(stack, found, standing.specs, selected, policy, networkCreates);
  const instances = { current: found.current, leftovers: planned.leftovers };
  let chosen = standing;
  let replacements = planned.resumed;
  if (planned.beside.size > 0) {
    const beside = build(planned.names);
    // Too few free addresses for new containers beside the old ones: stop first instead.
    if (!beside.problems.some((p) => !standing.problems.includes(p))) {
      chosen = beside;
      replacements = new Map([...planned.resumed, ...planned.beside]);
    }
  }
  const earlier = [...seen.problems, ...bases.problems];
  const problems = [...earlier, ...chosen.problems.filter((p) => !earlier.includes(p))];
  return { specs: chosen.specs, instances, replacements, problems };
}

function sameNames(a: SlotInstances, b: SlotInstances): boolean {
  const same = <T>(x: Iterable<T>, y: Iterable<T>) => JSON.stringify([...x]) === JSON.stringify([...y]);
  return same(a.names, b.names) && same(a.fresh, b.fresh) && same(a.leftovers ?? [], b.leftovers ?? []);
}
