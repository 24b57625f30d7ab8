// Containers part of reconcile: per desired container (one per replica), keep it when its
// config hash, addresses and veths match and it runs; otherwise replace it: beside the old
// one where the service allows it (plan-instances.ts: start the new one, wait until it is
// ready, switch the published ports, then remove the old one), else stop, then start.
// Dependents are replaced with a dependency
// only when they ask for it (`depends_on.X.restart: true`) or share its namespaces
// (`network_mode: service:X`). Surplus replicas and orphans are removed.

import type { Observed, ObservedContainer } from '../../model/observed.js';
import type { ContainerSpec, Operation } from '../../model/plan.js';
import type { Service, Stack } from '../../model/types.js';
import { dependencyOrder } from '../../model/graph.js';
import { replicaCount, scaleDown, type Slot } from './plan-replicas.js';
import { namespaceOwnersOf, prerequisitesOf, sharedNamespaceOf } from './select-services.js';
import { gatedDependencies, planWait, readinessWait } from './plan-waits.js';
import { groupBy } from '../../model/group-by.js';
import { isPreStartStep, shownName } from '../../model/names.js';
import type { CurrentInstances, Replacement } from './plan-instances.js';
import { startCause, type StartCause } from './start-cause.js';
import { renewAnonymousVolumes } from './renew-anon-volumes.js';

/** How long a replaced container's requests in flight may take to finish before it is stopped. */
export const DRAIN_MS = 2000;

export interface ContainerPolicy {
  removeOrphans?: boolean;
  /** COMPOSE_IGNORE_ORPHANS: an orphan is kept without a note (compose's warning). */
  ignoreOrphans?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  /** Set by reconcile for --always-recreate-deps (start-cause.ts). */
  forceRecreateServices?: string[];
  /** `up -V`: a recreated container gets new anonymous volumes (renew-anon-volumes.ts). */
  renewAnonVolumes?: boolean;
  scale?: Record<string, number>;
  /** `up -t N`: the grace period of the containers this plan stops, over their own. */
  stopTimeoutSeconds?: number;
}

export interface ContainerPlanInput {
  stack: Stack;
  observed: Observed;
  slots: Slot[];
  specs: Map<string, ContainerSpec>;
  /** Services the plan may start or scale (`up SERVICE…`). */
  selected: Set<string>;
  /** Ids of network.create operations: containers on a recreated bridge are rewired. */
  networkCreates: string[];
  policy: ContainerPolicy;
  /** The container of each slot now, and what an interrupted replacement left. */
  instances: CurrentInstances;
  /** Slots replaced make-before-break (plan-instances.ts). */
  replacements: Map<string, Replacement>;
}

/** Edges to the other parts of the plan (networks, NAT, the port switch) are order-edges.ts's. */
export interface PlannedContainers {
  operations: Operation[];
  notes: string[];
}

export function planContainers(input: ContainerPlanInput): PlannedContainers {
  const { stack, observed, specs, policy } = input;
  const operations: Operation[] = [];
  const removeIds = new Set<string>();
  const notes: string[] = [];
  const startIds = new Map<string, string[]>();
  /** Services with at least one existing container replaced by this plan. */
  const replaced = new Set<string>();

  const remove = (c: ObservedContainer, cause: string, after: string[] = [], drainMs?: number): string => {
    const id = `remove:${c.name}`;
    if (removeIds.has(id)) return id; // a leftover that is also surplus or an orphan
    operations.push({
      kind: 'container.remove',
      id,
      cause,
      after,
      project: stack.project,
      name: c.name,
      stopSignal: c.stopSignal,
      stopGraceSeconds: policy.stopTimeoutSeconds ?? c.stopGraceSeconds,
      hostVeths: c.endpoints.map((e) => e.hostVeth),
      ...(drainMs ? { drainMs } : {}),
    });
    removeIds.add(id);
    return id;
  };

  const serviceNamed = new Map(stack.services.map((s) => [s.name, s]));
  const slotsOf = groupBy(input.slots, (s) => s.service.name);
  const specsOf = groupBy(specs.values(), (s) => s.service);
  // A pre_start step's container left by an interrupted start is no container of its
  // service: it goes before the service starts (and runs its steps again).
  const steps = groupBy(
    observed.containers.filter((c) => isPreStartStep(c.name)),
    (c) => c.service,
  );
  const containersOf = groupBy(
    observed.containers.filter((c) => !isPreStartStep(c.name)),
    (c) => c.service,
  );
  // Of two containers of one slot, the one that does not stand for it goes first.
  const leftoverRemovals = new Map<string, string>();
  for (const c of input.instances.leftovers) {
    if (!input.selected.has(c.service)) continue; // an orphan (removed or kept below), or not asked for
    leftoverRemovals.set(
      shownName(c),
      remove(c, `an interrupted replacement left ${c.name} beside ${input.instances.current.get(shownName(c))!.name}`),
    );
  }
  for (const level of dependencyOrder(orderingStack(stack))) {
    for (const serviceName of level) {
      const service = serviceNamed.get(serviceName)!;
      const trigger = dependentCause(service, replaced);
      if (!input.selected.has(serviceName) && !trigger) continue;
      const ids: string[] = [];
      startIds.set(serviceName, ids);
      // One wait for depends_on conditions, shared by the service's replicas, made when the first one starts.
      let wait: Extract<Operation, { kind: 'container.wait' }> | undefined | null = null;
      // Whose namespaces it joins, or whose volumes it mounts (their first mount copies their
      // image's files in, as docker creates them with the container): those start first.
      const volumeOwners = (service.volumesFrom ?? []).flatMap((f) => (f.service ? [f.service] : []));
      const gated = gatedDependencies(service, [...namespaceOwnersOf(service), ...volumeOwners]);
      // The start that runs the service's pre_start steps; its other starts wait for it.
      let preStartId: string | undefined;
      const stepRemovals = (steps.get(serviceName) ?? []).map((c) =>
        remove(c, `${c.name} is a pre_start step an interrupted start left`),
      );
      for (const slot of slotsOf.get(serviceName) ?? []) {
        const spec = specs.get(slot.name);
        if (!spec) continue;
        const existing = input.instances.current.get(slot.name);
        const replacement = input.replacements.get(slot.name);
        if (replacement?.resume) {
          // Started by an earlier apply: what is left is the wait, the switch and the removal.
          operations.push(readinessWait(stack.project, spec, replacement.old.name));
          remove(replacement.old, `${replacement.cause}; ${spec.name} replaces it and is ready`, [], DRAIN_MS);
          continue;
        }
        const decided: StartCause = replacement
          ? { cause: replacement.cause }
          : startCause(existing, spec, policy, input.networkCreates);
        if (decided.note) notes.push(decided.note);
        const cause = decided.cause ?? (existing && trigger);
        if (!cause) continue;
        const after = [leftoverRemovals.get(slot.name), ...stepRemovals].filter((id): id is string => !!id);
        const resume = decided.resume && existing;
        if (existing && !replacement && !resume) {
          const removed = remove(existing, cause);
          after.push(removed);
          const renewed = policy.renewAnonVolumes ? renewAnonymousVolumes(stack.project, spec, removed) : [];
          operations.push(...renewed);
          after.push(...renewed.map((op) => op.id));
        }
        if (existing && !resume) replaced.add(serviceName);
        if (wait === null) {
          wait = planWait(stack.project, service, specsOf, startIds);
          if (wait) operations.push(wait);
        }
        const waited = new Set(wait?.dependencies.map((d) => d.service));
        const releaseAfter: string[] = [];
        for (const dep of prerequisitesOf(service)) {
          if (waited.has(dep)) continue;
          (gated.has(dep) ? releaseAfter : after).push(...(startIds.get(dep) ?? []));
        }
        if (wait) after.push(wait.id);
        if (resume) {
          // Its own process starts again from its record (same filesystem and addresses); its
          // dependencies' starts come first, the command included.
          const id = `resume:${resume.name}`;
          ids.push(id);
          operations.push({
            kind: 'container.resume',
            id,
            cause,
            after: [...after, ...releaseAfter],
            project: stack.project,
            name: resume.name,
          });
          continue;
        }
        const id = `start:${spec.name}`;
        ids.push(id);
        // pre_start runs once, when no container of the service runs (not on a scale-up), as compose does.
        const preStart =
          !!spec.preStart &&
          preStartId === undefined &&
          !(containersOf.get(serviceName) ?? []).some((c) => c.running && !removeIds.has(`remove:${c.name}`));
        if (preStartId) after.push(preStartId);
        if (preStart) preStartId = id;
        operations.push({
          kind: 'container.start',
          id,
          cause,
          after,
          container: spec,
          ...(releaseAfter.length ? { releaseAfter } : {}),
          ...(preStart ? { preStart: true as const } : {}),
        });
        if (replacement) {
          // The old container serves until the new one is ready and the ports lead to it.
          operations.push(readinessWait(stack.project, spec, replacement.old.name));
          remove(replacement.old, `${cause}; ${spec.name} replaces it and is ready`, [], DRAIN_MS);
        }
      }
      if (input.selected.has(serviceName))
        scaleDown(serviceName, replicaCount(service, policy.scale), containersOf.get(serviceName) ?? [], remove);
    }
  }

  for (const orphan of observed.containers.filter((c) => !serviceNamed.has(c.service))) {
    if (policy.removeOrphans) remove(orphan, `service ${orphan.service} is no longer in the stack file`);
    else if (!policy.ignoreOrphans)
      notes.push(
        `container ${orphan.name} belongs to service ${orphan.service}, which is not in the stack file; --remove-orphans removes it`,
      );
  }
  return { operations, notes };
}

/** The stack with `network_mode: service:X` counted as a dependency on X, for ordering. */
function orderingStack(stack: Stack): Pick<Stack, 'services'> {
  return {
    services: stack.services.map((s) => {
      const shared = sharedNamespaceOf(s);
      if (!shared || s.dependsOn.some((d) => d.service === shared)) return s;
      return {
        ...s,
        dependsOn: [...s.dependsOn, { service: shared, condition: 'service_started', required: true, restart: true }],
      };
    }),
  };
}

/** Why `service` must follow a dependency that this plan replaces, if it must. */
function dependentCause(service: Service, replaced: Set<string>): string | undefined {
  if (replaced.size === 0) return undefined; // a first `up`, or nothing replaced: no cause to look for
  const shared = namespaceOwnersOf(service).find((o) => replaced.has(o));
  if (shared) return `it shares ${sharedWhat(service, shared)} of service ${shared}, which is replaced`;
  const dep = service.dependsOn.find((d) => d.restart && replaced.has(d.service));
  return dep ? `dependency ${dep.service} is replaced and depends_on.${dep.service}.restart is true` : undefined;
}

/** "the network namespace", "the pid and ipc namespaces": what `service` shares of `owner`. */
function sharedWhat(service: Service, owner: string): string {
  const kinds = (
    [
      ['network', service.networkMode],
      ['pid', service.namespaces?.pid],
      ['ipc', service.namespaces?.ipc],
    ] as const
  ).flatMap(([kind, mode]) => (mode === `service:${owner}` ? [kind] : []));
  return kinds.length === 1 ? `the ${kinds[0]} namespace` : `the ${kinds.join(' and ')} namespaces`;
}
