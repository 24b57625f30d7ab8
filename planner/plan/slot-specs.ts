// The ContainerSpec of every slot, in two parts. What does not depend on the container's
// name or addresses (its service, image and mounts, and the problems with them) is worked
// out once per plan; the networking is planned for one naming of the slots at a time
// (plan-endpoints.ts), as a replacement started beside the old container changes its name
// and needs addresses of its own (plan-instances.ts, plan-specs.ts).

import { compatibleName } from '../../model/names.js';
import { platformsDiffer } from '../../model/platform-match.js';
import type { ImageInfo, Observed } from '../../model/observed.js';
import type { ContainerSpec, MountSpec, NetworkSpec } from '../../model/plan.js';
import type { Service, Stack } from '../../model/types.js';
import { normalizeImageRef } from '../../model/image-ref.js';
import { groupBy } from '../../model/group-by.js';
import { buildContainerSpec, resolveArgv } from './container-spec.js';
import { planEndpoints, type SlotInstances } from './plan-endpoints.js';
import { planMounts } from './plan-mounts.js';
import type { Slot } from './plan-replicas.js';
import { ipcOwners, withShareableIpc, withSharedHostname } from './select-services.js';

/** What a slot's container is made from, whatever its name and addresses. */
export interface SlotBase {
  /** The service as its containers are made (select-services.ts withSharedHostname, withShareableIpc). */
  service: Service;
  image: ImageInfo;
  mounts: MountSpec[];
}

/** The bases of the slots that can be made; the others are in `problems` (said once per service). */
export function slotBases(
  stack: Stack,
  observed: Observed,
  slots: Slot[],
): { bases: Map<string, SlotBase>; problems: string[] } {
  const bases = new Map<string, SlotBase>();
  const problems: string[] = [];
  const slotsOf = groupBy(slots, (s) => s.service);
  const sharedIpc = ipcOwners(stack);
  for (const service of stack.services) {
    let ref: string;
    try {
      ref = normalizeImageRef(service.image);
    } catch (err) {
      problems.push(`service ${service.name}: ${(err as Error).message}`);
      continue;
    }
    const image = observed.images.find((i) => i.ref === ref);
    if (!image) {
      problems.push(
        `service ${service.name}: image ${ref} is not in the local store; import it with \`stack image import PATH --tag ${service.image}\``,
      );
      continue;
    }
    if (service.platform && image.platform && platformsDiffer(service.platform, image.platform)) {
      problems.push(
        `service ${service.name}: image ${ref} in the local store is for ${image.platform}, not the service's platform ${service.platform}; pull it for that platform (\`stack image pull --platform ${service.platform} ${service.image}\`) or change platform`,
      );
      continue;
    }
    const made = withShareableIpc(sharedIpc, withSharedHostname(stack, service));
    for (const [i, slot] of (slotsOf.get(service) ?? []).entries()) {
      const mounts = planMounts(stack, service, slot.name, observed);
      // Every replica has the same mount problems: report them once.
      if (i === 0) problems.push(...mounts.problems);
      bases.set(slot.name, { service: made, image, mounts: mounts.mounts });
    }
    if (resolveArgv(service, image).length === 0) {
      problems.push(
        `service ${service.name}: neither the file nor image ${ref} gives a command to run; set \`command:\``,
      );
      for (const slot of slotsOf.get(service) ?? []) bases.delete(slot.name);
    }
  }
  return { bases, problems };
}

/** Specs keyed by slot, named as `names` says (a slot whose container has another name on the host gets it). */
export function specsFor(
  stack: Stack,
  observed: Observed,
  nets: Map<string, NetworkSpec>,
  slots: Slot[],
  bases: Map<string, SlotBase>,
  names: SlotInstances,
): { specs: Map<string, ContainerSpec>; problems: string[] } {
  const { networking, problems } = planEndpoints(stack, observed, nets, slots, names);
  const specs = new Map<string, ContainerSpec>();
  for (const slot of slots) {
    const base = bases.get(slot.name);
    const planned = networking.get(slot.name);
    if (!base || !planned) continue;
    const spec = buildContainerSpec(
      stack.project,
      base.service,
      base.image,
      planned.endpoints,
      planned.hosts,
      slot.replica,
      base.mounts,
      planned,
    );
    const instance = names.names.get(slot.name);
    // --compatibility shows (ps, DNS) compose v1's name; the host objects keep theirs, and
    // the name is the container's from its creation, as compose's (not part of its hash).
    const shown =
      stack.compatibility && spec.containerName === undefined
        ? { ...spec, containerName: compatibleName(stack.project, spec.service, slot.replica) }
        : spec;
    specs.set(slot.name, instance ? { ...shown, name: instance, displayName: slot.name } : shown);
  }
  return { specs, problems };
}
