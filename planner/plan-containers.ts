// Containers part of reconcile: per desired container (one per replica), keep it when its
// config hash, addresses and veths match and it runs; otherwise replace it (stop, then
// start: its name, address, veth and cgroup are keyed by `<project>-<service>-<n>`, so
// the new one cannot run beside the old one). Dependents are replaced with a dependency
// only when they ask for it (`depends_on.X.restart: true`) or share its namespaces
// (`network_mode: service:X`). Surplus replicas and orphans are removed.

import type { Observed, ObservedContainer } from './observed.js';
import type { ContainerSpec, Operation } from './plan.js';
import type { Service, Stack } from './types.js';
import { dependencyOrder } from './graph.js';
import { replicaCount, scaleDown, type Slot } from './plan-replicas.js';
import { prerequisitesOf, sharedNamespaceOf } from './select-services.js';
import { gatedDependencies, planWait } from './plan-waits.js';
import { groupBy } from './group-by.js';

export interface ContainerPolicy {
  removeOrphans?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  scale?: Record<string, number>;
}

export interface ContainerPlanInput {
  stack: Stack;
  observed: Observed;
  slots: Slot[];
  specs: Map<string, ContainerSpec>;
  /** Services the plan may start or scale (`up SERVICE…`). */
  selected: Set<string>;
  /** Every container start waits for these (network creation, NAT). */
  startAfter: string[];
  /** Ids of network.create operations: containers on a recreated bridge are rewired. */
  networkCreates: string[];
  policy: ContainerPolicy;
}

export interface PlannedContainers {
  operations: Operation[];
  removeIds: string[];
  notes: string[];
}

export function planContainers(input: ContainerPlanInput): PlannedContainers {
  const { stack, observed, specs, policy } = input;
  const operations: Operation[] = [];
  const removeIds: string[] = [];
  const notes: string[] = [];
  const startIds = new Map<string, string[]>();
  /** Services with at least one existing container replaced by this plan. */
  const replaced = new Set<string>();

  const remove = (c: ObservedContainer, cause: string, after: string[] = []): string => {
    const id = `remove:${c.name}`;
    operations.push({
      kind: 'container.remove',
      id,
      cause,
      after,
      project: stack.project,
      name: c.name,
      stopSignal: c.stopSignal,
      stopGraceSeconds: c.stopGraceSeconds,
      hostVeths: c.endpoints.map((e) => e.hostVeth),
    });
    removeIds.push(id);
    return id;
  };

  const serviceNamed = new Map(stack.services.map((s) => [s.name, s]));
  const slotsOf = groupBy(input.slots, (s) => s.service.name);
  const observedNamed = new Map(observed.containers.map((c) => [c.name, c]));
  const specsOf = groupBy(specs.values(), (s) => s.service);
  for (const level of dependencyOrder(orderingStack(stack))) {
    for (const serviceName of level) {
      const service = serviceNamed.get(serviceName)!;
      const trigger = dependentCause(service, replaced);
      if (!input.selected.has(serviceName) && !trigger) continue;
      const ids: string[] = [];
      startIds.set(serviceName, ids);
      // One wait for depends_on conditions, shared by the service's replicas, made when the first one starts.
      let wait: Extract<Operation, { kind: 'container.wait' }> | undefined | null = null;
      const gated = gatedDependencies(service, sharedNamespaceOf(service));
      for (const slot of slotsOf.get(serviceName) ?? []) {
        const spec = specs.get(slot.name);
        if (!spec) continue;
        const existing = observedNamed.get(slot.name);
        const decided = startCause(existing, spec, policy, input.networkCreates);
        if (decided.note) notes.push(decided.note);
        const cause = decided.cause ?? (existing && trigger);
        if (!cause) continue;
        const after = [...input.startAfter];
        if (existing) {
          after.push(remove(existing, cause));
          replaced.add(serviceName);
        }
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
        const id = `start:${spec.name}`;
        ids.push(id);
        operations.push({ kind: 'container.start', id, cause, after, container: spec, ...(releaseAfter.length ? { releaseAfter } : {}) });
      }
      if (input.selected.has(serviceName)) scaleDown(serviceName, replicaCount(service, policy.scale), observed, remove);
    }
  }

  for (const orphan of observed.containers.filter((c) => !stack.services.some((s) => s.name === c.service))) {
    if (policy.removeOrphans) remove(orphan, `service ${orphan.service} is no longer in the stack file`);
    else notes.push(`container ${orphan.name} belongs to service ${orphan.service}, which is not in the stack file; --remove-orphans removes it`);
  }
  return { operations, removeIds, notes };
}

/** The stack with `network_mode: service:X` counted as a dependency on X, for ordering. */
function orderingStack(stack: Stack): Pick<Stack, 'services'> {
  return {
    services: stack.services.map((s) => {
      const shared = sharedNamespaceOf(s);
      if (!shared || s.dependsOn.some((d) => d.service === shared)) return s;
      return { ...s, dependsOn: [...s.dependsOn, { service: shared, condition: 'service_started', required: true, restart: true }] };
    }),
  };
}

/** Why `service` must follow a dependency that this plan replaces, if it must. */
function dependentCause(service: Service, replaced: Set<string>): string | undefined {
  const shared = sharedNamespaceOf(service);
  if (shared && replaced.has(shared)) return `it shares the network namespace of service ${shared}, which is replaced`;
  const dep = service.dependsOn.find((d) => d.restart && replaced.has(d.service));
  return dep ? `dependency ${dep.service} is replaced and depends_on.${dep.service}.restart is true` : undefined;
}

function startCause(existing: ObservedContainer | undefined, spec: ContainerSpec, policy: ContainerPolicy, networkCreates: string[]): { cause?: string; note?: string } {
  if (!existing) return { cause: spec.replica === 1 ? `service ${spec.service} has no container` : `service ${spec.service} has no replica ${spec.replica}` };
  // A recreated bridge does not get the old veths back: the container must be rewired.
  const rewired = existing.endpoints.find((e) => networkCreates.includes(`network:${e.network}`));
  if (rewired) return { cause: `network ${rewired.network} is recreated, so ${existing.name} must be reattached` };
  if (!existing.running) return { cause: `drift: container ${existing.name} is not running${existing.exitCode !== undefined ? ` (exited with ${existing.exitCode})` : ''}` };
  const change = existing.hash !== spec.hash ? `configuration of service ${spec.service} changed` : addressChange(existing, spec);
  if (change && policy.noRecreate) return { note: `${change}, but --no-recreate keeps ${existing.name} as it is` };
  if (change) return { cause: change };
  const lost = existing.endpoints.find((e) => e.present === false);
  if (lost) return { cause: `drift: veth ${lost.hostVeth} of ${existing.name} on network ${lost.network} is missing on the host` };
  if (policy.forceRecreate) return { cause: '--force-recreate' };
  return {};
}

/** A fixed address that changed (planned addresses otherwise keep the observed ones). */
function addressChange(existing: ObservedContainer, spec: ContainerSpec): string | undefined {
  for (const ep of spec.endpoints) {
    const seen = existing.endpoints.find((e) => e.network === ep.network);
    if (seen && seen.ip !== ep.ip) return `address of ${existing.name} on network ${ep.network} changes from ${seen.ip} to ${ep.ip}`;
  }
  return undefined;
}
