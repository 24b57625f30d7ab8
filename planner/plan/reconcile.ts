// reconcile(stack, observed) → Plan: the only place that decides what changes. It keeps
// what already matches the file (same config hash, still running), recreates what
// differs, repairs what drifted, creates what is missing and removes what the file no
// longer names. Each part lives in its own module: plan-networks, plan-ports, plan-nat,
// plan-replicas/plan-specs (which containers, with which names and addresses),
// plan-containers. Each part returns its operations and its problems; the problems of all
// are reported together before anything is decided, and the edges between the parts'
// operations are added last (order-edges.ts).

import { asCreatePlan } from './create-plan.js';
import type { Observed } from '../../model/observed.js';
import type { Plan } from '../../model/plan.js';
import type { Stack } from '../../model/types.js';
import { PlanError } from './plan-error.js';
import { planNetworks } from './plan-networks.js';
import { portsWhileReplacing, switchedNat } from './plan-switch.js';
import { planNat } from './plan-nat.js';
import { planPorts } from './plan-ports.js';
import { desiredSlots } from './plan-replicas.js';
import { planContainers, type ContainerPolicy } from './plan-containers.js';
import { selectServices, unknownServices } from './select-services.js';
import { checkHostPorts } from './check-host-ports.js';
import { checkDependencyConditions } from './plan-waits.js';
import { checkVolumes } from './check-volumes.js';
import { salvageNotes, salvageOperations } from './salvage.js';
import { thawStrayFrozen } from './thaw-stray.js';
import { planSpecs } from './plan-specs.js';
import { orderEdges } from './order-edges.js';
import { withDefaultBridge } from './default-bridge.js';

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
  /** `up --always-recreate-deps SERVICE…`: recreate what the named services depend on. */
  alwaysRecreateDeps?: boolean;
  /**
   * `up --no-start`: stack has no created-but-not-started container, so it makes what
   * lives apart from the containers (networks) and starts no container.
   */
  noStart?: boolean;
  /** `stack create`: containers made and not started (create-plan.ts); the existing ones left as they are. */
  create?: boolean;
}

export function reconcile(file: Stack, observed: Observed, opts: ReconcileOptions = {}): Plan {
  const stack = withDefaultBridge(file);
  const selected = opts.noStart ? new Set<string>() : selectServices(stack, opts.services, !!opts.noDeps);
  const policy = withDependencyRecreate(opts, selected);
  const nets = planNetworks(stack, observed, opts.scale);
  const { slots, problems: unscalable } = desiredSlots(stack, opts.scale);
  const {
    specs,
    instances,
    replacements,
    problems: unbuildable,
  } = planSpecs(stack, observed, nets.specs, slots, selected, policy, nets.createIds);
  // Ports are published for the containers that will exist: the selected ones and the
  // ones already there. Choosing their host ports can fail (a full range), so it comes
  // before anything is decided.
  const kept = [...specs]
    .filter(([slot, s]) => selected.has(s.service) || instances.current.has(slot))
    .map(([, s]) => s);
  const { ports, problems: portless } = planPorts(stack, observed, kept);
  const problems = [
    ...unknownServices(stack, opts.services),
    ...nets.problems,
    ...unscalable,
    ...unbuildable,
    ...checkHostPorts(stack, observed),
    ...portless,
    ...checkVolumes(stack, observed),
    ...checkDependencyConditions(stack, specs),
  ];
  if (problems.length > 0) throw new PlanError(problems);

  const interim = replacements.size > 0 ? portsWhileReplacing(ports, specs, replacements, observed.nat?.ports) : ports;
  const nat = planNat(stack, observed, interim, nets.specs);
  const switched = interim === ports ? undefined : switchedNat(stack, interim, ports, nets.specs);
  const containers = planContainers({
    stack,
    observed,
    slots,
    specs,
    selected,
    networkCreates: nets.createIds,
    policy,
    instances,
    replacements,
  });
  const operations = orderEdges({
    salvage: [...salvageOperations(observed), ...thawStrayFrozen(observed)],
    networks: nets.operations,
    nat: nat.operations,
    containers: containers.operations,
    ...(switched ? { portSwitch: { nat: switched, containers: new Set(ports.map((p) => p.container)) } } : {}),
  });
  return {
    project: stack.project,
    operations: opts.create ? asCreatePlan(operations, new Set(instances.current.keys())) : operations,
    notes: [...salvageNotes(observed), ...(opts.create ? [] : containers.notes)],
  };
}

/**
 * compose's rule for --always-recreate-deps: the services named get up's own recreate
 * policy, the dependencies it starts for them are recreated. Without names every service
 * is named, so the flag changes nothing then.
 */
function withDependencyRecreate(opts: ReconcileOptions, selected: Set<string>): ReconcileOptions {
  const named = opts.services ?? [];
  if (!opts.alwaysRecreateDeps || named.length === 0) return opts;
  return { ...opts, forceRecreateServices: [...selected].filter((s) => !named.includes(s)) };
}
