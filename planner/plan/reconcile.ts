// reconcile(stack, observed) → Plan: the only place that decides what changes. It keeps
// what already matches the file (same config hash, still running), recreates what
// differs, repairs what drifted, creates what is missing and removes what the file no
// longer names. Each part lives in its own module: plan-networks, plan-ports, plan-nat,
// plan-replicas/plan-endpoints (which containers, with which addresses), plan-containers.

import type { Observed } from '../../model/observed.js';
import type { ContainerSpec, NetworkSpec, Operation, Plan } from '../../model/plan.js';
import type { Stack } from '../../model/types.js';
import { PlanError } from './plan-error.js';
import { buildContainerSpec } from './container-spec.js';
import { normalizeImageRef } from '../../model/image-ref.js';
import { planNetworks } from './plan-networks.js';
import { planEndpoints, type SlotInstances } from './plan-endpoints.js';
import { currentInstances, currentNames, planReplacements } from './plan-instances.js';
import { portsWhileReplacing, switchedNat, switchOperation, SWITCH_ID } from './plan-switch.js';
import { planNat } from './plan-nat.js';
import { planPorts } from './plan-ports.js';
import { desiredSlots, type Slot } from './plan-replicas.js';
import { planContainers, type ContainerPolicy } from './plan-containers.js';
import { selectServices, withSharedHostname } from './select-services.js';
import { checkHostPorts } from './check-host-ports.js';
import { planMounts } from './plan-mounts.js';
import { checkDependencyConditions } from './plan-waits.js';
import { groupBy } from '../../model/group-by.js';
import { checkVolumes } from './check-volumes.js';
import { withSalvage } from './salvage.js';

export interface ReconcileOptions extends ContainerPolicy {
  /** Remove containers of services that are no longer in the file. */
  removeOrphans?: boolean;
  /** Recreate containers even when their config is unchanged. */
  forceRecreate?: boolean;
  /** Keep running containers whose config changed (dead ones are still replaced). */
  noRecreate?: boolean;
  /** `up SERVICE…`: only these services and, unless noDeps, what they depend on. */
  services?: string[];
  noDeps?: boolean;
  /** `up --scale svc=N`: replicas per service, over the file's. */
  scale?: Record<string, number>;
}

export function reconcile(stack: Stack, observed: Observed, opts: ReconcileOptions = {}): Plan {
  const problems: string[] = [];
  const selected = selectServices(stack, opts.services, !!opts.noDeps, problems);
  const nets = planNetworks(stack, observed, problems, opts.scale);
  const slots = desiredSlots(stack, opts.scale, problems);
  const first = currentInstances(observed);
  let specs = buildSpecs(stack, observed, nets.specs, slots, problems, currentNames(first));
  // Of two containers of a slot, the one made from the file stands for it (a config hash
  // does not depend on the container's name).
  const instances = currentInstances(observed, (slot) => specs.get(slot)?.hash);
  // Containers replaced beside their old ones need names and addresses of their own.
  let planned = planReplacements(stack, instances, specs, selected, opts, nets.createIds);
  if (planned.replacements.size > 0 || instances.leftovers.length > 0) {
    let again: string[] = [];
    specs = buildSpecs(stack, observed, nets.specs, slots, again, planned.slots);
    if (again.some((p) => !problems.includes(p))) {
      // Too few free addresses for new containers beside the old ones: stop first instead.
      planned = planReplacements(stack, instances, specs, selected, opts, nets.createIds, false);
      again = [];
      specs = buildSpecs(stack, observed, nets.specs, slots, again, planned.slots);
    }
    problems.push(...again.filter((p) => !problems.includes(p)));
  }
  const { replacements } = planned;
  checkHostPorts(stack, observed, problems);
  // Ports are published for the containers that will exist: the selected ones and the
  // ones already there. Choosing their host ports can fail (a full range), so it comes
  // before anything is decided.
  const kept = [...specs].filter(([slot, s]) => selected.has(s.service) || instances.current.has(slot)).map(([, s]) => s);
  const ports = planPorts(stack, observed, kept, problems);
  const interim = replacements.size > 0 ? portsWhileReplacing(ports, specs, replacements, observed.nat?.ports) : ports;
  checkVolumes(stack, observed, problems);
  checkDependencyConditions(stack, specs, problems);
  if (problems.length > 0) throw new PlanError(problems);

  const nat = planNat(stack, observed, interim, nets.specs, nets.createIds);
  const switched = interim === ports ? undefined : switchedNat(stack, interim, ports, nets.specs);
  const containers = planContainers({
    stack,
    observed,
    slots,
    specs,
    selected,
    startAfter: [...nets.createIds, ...(nat.applyId ? [nat.applyId] : [])],
    networkCreates: nets.createIds,
    policy: opts,
    instances: { current: instances.current, leftovers: planned.leftovers },
    replacements,
    ...(switched ? { switchId: SWITCH_ID, switchFor: new Set(ports.map((p) => p.container)) } : {}),
  });
  if (switched) {
    // Listed before the first removal that waits for it, as it runs.
    const first = containers.operations.findIndex((o) => o.after.includes(SWITCH_ID));
    containers.operations.splice(first < 0 ? containers.operations.length : first, 0, switchOperation(switched, containers.readyIds));
  }

  const operations: Operation[] = [...nets.operations, ...nat.operations.filter((o) => o.kind === 'nat.apply'), ...containers.operations];
  // A bridge goes (or is remade) only once the containers on it are gone.
  for (const op of nets.operations) op.after.push(...containers.removeIds.filter((id) => !op.after.includes(id)));
  // The table holds the drop of forged loopback packets (CVE-2020-8558) that a bridge with
  // route_localnet needs: it goes only once the containers that could send them are gone.
  const natRemovals = nat.operations.filter((o) => o.kind === 'nat.remove');
  for (const op of natRemovals) op.after.push(...containers.removeIds);
  operations.push(...natRemovals);

  const notes = [...containers.notes];
  return withSalvage({ project: stack.project, operations, notes }, observed);
}

/** Specs keyed by slot; a slot whose container has another name on the host (`instances`) gets it. */
function buildSpecs(stack: Stack, observed: Observed, nets: Map<string, NetworkSpec>, slots: Slot[], problems: string[], instances: SlotInstances): Map<string, ContainerSpec> {
  const specs = new Map<string, ContainerSpec>();
  const endpoints = planEndpoints(stack, observed, nets, slots, problems, instances);
  const slotsOf = groupBy(slots, (s) => s.service);
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
      problems.push(`service ${service.name}: image ${ref} is not in the local store; import it with \`stack image import PATH --tag ${service.image}\``);
      continue;
    }
    for (const [i, slot] of (slotsOf.get(service) ?? []).entries()) {
      const planned = endpoints.get(slot.name);
      if (!planned) continue;
      // Every replica has the same mount problems: report them once.
      const mounts = planMounts(stack, service, slot.name, observed, i === 0 ? problems : []);
      const spec = buildContainerSpec(stack.project, withSharedHostname(stack, service), image, planned.endpoints, planned.hosts, slot.replica, mounts, planned);
      if (spec.argv.length === 0) {
        problems.push(`service ${service.name}: neither the file nor image ${ref} gives a command to run; set \`command:\``);
        break;
      }
      const instance = instances.names.get(slot.name);
      specs.set(slot.name, instance ? { ...spec, name: instance, displayName: slot.name } : spec);
    }
  }
  return specs;
}
