// Which container stands for each slot (`<project>-<service>-<n>`), and which changed ones
// are replaced make-before-break: the new container starts beside the old one, under the
// slot's other name (names.ts replacementName) and with addresses of its own; the old one
// is removed once the new one is ready and the published ports lead to it
// (plan-containers.ts). Docker compose always stops first; here that is left to services
// that cannot run two containers at once: a fixed address, shared network namespaces,
// host networking, or a mount both could write (a database's volume).

import type { Observed, ObservedContainer } from '../../model/observed.js';
import type { ContainerSpec } from '../../model/plan.js';
import type { Service, Stack } from '../../model/types.js';
import { groupBy } from '../../model/group-by.js';
import { replacementName, shownName } from '../../model/names.js';
import { ownsNetworks } from './network-mode.js';
import type { SlotInstances } from './plan-endpoints.js';
import { namespaceOwnersOf, sharedNamespaceOf } from './select-services.js';
import { startCause, type StartPolicy } from './start-cause.js';

export interface CurrentInstances {
  /** Per slot, the container that stands for it now. */
  current: Map<string, ObservedContainer>;
  /** Containers an interrupted replacement left beside the one that stands for their slot. */
  leftovers: ObservedContainer[];
}

export interface Replacement {
  old: ObservedContainer;
  cause: string;
  /**
   * The replacement runs already (an earlier apply started it and did not finish): only the
   * wait until it is ready, the port switch and the old container's removal are left.
   */
  resume?: boolean;
}

/**
 * Of two containers of one slot (a replacement interrupted, or never ready): the running
 * one, then the one made from the wanted config (`wantedHash`), then the slot's own name.
 */
export function currentInstances(
  observed: Observed,
  wantedHash: (slot: string) => string | undefined = () => undefined,
): CurrentInstances {
  const current = new Map<string, ObservedContainer>();
  const leftovers: ObservedContainer[] = [];
  for (const [slot, list] of groupBy(observed.containers, (c) => shownName(c))) {
    const wanted = wantedHash(slot);
    const ranked = [...list].sort(
      (a, b) =>
        Number(b.running) - Number(a.running) ||
        Number(b.hash === wanted) - Number(a.hash === wanted) ||
        Number(b.name === slot) - Number(a.name === slot),
    );
    current.set(slot, ranked[0]!);
    leftovers.push(...ranked.slice(1));
  }
  return { current, leftovers };
}

/** Host names of the current containers that are not their slot's. */
export function currentNames(instances: CurrentInstances): SlotInstances {
  const names = new Map<string, string>();
  for (const [slot, c] of instances.current) if (c.name !== slot) names.set(slot, c.name);
  return { names, fresh: new Set(), leftovers: new Set(instances.leftovers.map((c) => c.name)) };
}

export interface PlannedReplacements {
  /** Replacements an earlier apply started: the new container runs under the name it has. */
  resumed: Map<string, Replacement>;
  /** Replacements to start beside the old container, under the slot's other name and with new addresses. */
  beside: Map<string, Replacement>;
  /** The slots' names with the `beside` ones started (plan-endpoints.ts). */
  names: SlotInstances;
  /** Leftovers that are not a resumed replacement: they are removed. */
  leftovers: ObservedContainer[];
}

/**
 * The slots of `selected` services whose running container is replaced make-before-break,
 * and the host names that gives (`specs`: built with the current names, keyed by slot).
 * Without enough free addresses for the `beside` ones, the caller keeps only `resumed`.
 */
export function planReplacements(
  stack: Stack,
  instances: CurrentInstances,
  specs: Map<string, ContainerSpec>,
  selected: Set<string>,
  policy: StartPolicy,
  networkCreates: string[],
): PlannedReplacements {
  const names = currentNames(instances);
  const resumed = new Map<string, Replacement>();
  const beside = new Map<string, Replacement>();
  const services = new Map(stack.services.map((s) => [s.name, s]));
  // A leftover running beside its slot's container, one of them made from the file and the
  // other not, is a replacement an earlier apply did not finish: finish it, so the one that
  // serves goes only once the other is ready.
  const leftovers = instances.leftovers.filter((old) => {
    const current = instances.current.get(shownName(old));
    const wanted = specs.get(shownName(old))?.hash;
    if (
      !current ||
      !selected.has(old.service) ||
      !old.running ||
      !current.running ||
      current.hash !== wanted ||
      old.hash === wanted
    )
      return true;
    resumed.set(shownName(old), {
      old,
      cause: `an earlier apply left ${old.name} beside its replacement ${current.name}`,
      resume: true,
    });
    return false;
  });
  // A bridge made in this plan waits for the removals, which would wait for starts on it.
  if (networkCreates.length > 0) return { resumed, beside, names, leftovers };
  const alone = mustRunAlone(stack);
  for (const [slot, spec] of specs) {
    const old = instances.current.get(slot);
    const service = services.get(spec.service);
    if (!old || resumed.has(slot) || !service || !selected.has(service.name)) continue;
    const decided = startCause(old, spec, policy, networkCreates);
    if (!decided.cause || !decided.replacesRunning || !canRunTwo(service, alone, spec)) continue;
    beside.set(slot, { old, cause: decided.cause });
  }
  const besideNames = new Map([
    ...names.names,
    ...[...beside].map(([slot, r]) => [slot, replacementName(slot, r.old.name)] as const),
  ]);
  return { resumed, beside, names: { ...names, names: besideNames, fresh: new Set(beside.keys()) }, leftovers };
}

/**
 * Services others need one container of: one whose namespaces another joins, and a
 * job others wait to complete (a migration), which must not run twice at once.
 */
function mustRunAlone(stack: Stack): Set<string> {
  const alone = new Set<string>();
  for (const s of stack.services) {
    for (const owner of namespaceOwnersOf(s)) alone.add(owner);
    for (const d of s.dependsOn) if (d.condition === 'service_completed_successfully') alone.add(d.service);
  }
  return alone;
}

/** Whether two containers of `service` can run at once without getting in each other's way (`alone`: mustRunAlone). */
function canRunTwo(service: Service, alone: Set<string>, spec: ContainerSpec): boolean {
  if (!ownsNetworks(service.networkMode) || sharedNamespaceOf(service) || spec.endpoints.length === 0) return false;
  if (alone.has(service.name)) return false;
  if (service.networks.some((n) => n.ipv4Address)) return false;
  return spec.mounts.every((m) => m.readOnly || m.type === 'tmpfs' || m.type === 'file');
}
