// depends_on conditions in the plan: a `container.wait` before a service's start that holds
// it until its dependencies are started, healthy or completed, and fails it with the reason
// when one cannot be (a required dependency) or warns (required: false).

import type { ContainerSpec, Operation, WaitDependency } from '../../model/plan.js';
import type { Service, Stack } from '../../model/types.js';
import { healthVerdictWithinMs, probeArgv } from '../../model/healthcheck.js';

/** Slack on top of a healthcheck's own verdict time before a wait gives up. */
const HEALTH_WAIT_SLACK_MS = 10_000;

/** `specs` are keyed by container name (one per replica). service_healthy on a dependency without a healthcheck can never be met: say so before anything starts. */
export function checkDependencyConditions(stack: Stack, specs: Map<string, ContainerSpec>): string[] {
  const problems: string[] = [];
  const firstSpecOf = new Map<string, ContainerSpec>();
  for (const spec of specs.values()) if (!firstSpecOf.has(spec.service)) firstSpecOf.set(spec.service, spec);
  for (const service of stack.services) {
    for (const dep of service.dependsOn) {
      const target = firstSpecOf.get(dep.service);
      if (dep.condition !== 'service_healthy' || !target || probeArgv(target.healthcheck) || !dep.required) continue;
      problems.push(
        `service ${service.name} depends on ${dep.service} with condition service_healthy, but ${dep.service} has no healthcheck; add a healthcheck to ${dep.service}, or use condition service_started`,
      );
    }
  }
  return problems;
}

/**
 * The wait before `service` starts, or undefined when there is nothing to wait for: a
 * dependency started by this plan (ids in `startIds`, per service) is waited for whatever
 * its condition; one already running only when the condition is more than "started".
 */
export function planWait(
  project: string,
  service: Service,
  /** The container specs of each service (see groupBy). */
  specsOf: Map<string, ContainerSpec[]>,
  startIds: Map<string, string[]>,
): Extract<Operation, { kind: 'container.wait' }> | undefined {
  const dependencies: WaitDependency[] = [];
  const settled: string[] = [];
  for (const dep of service.dependsOn) {
    const targets = specsOf.get(dep.service) ?? [];
    if (targets.length === 0) continue;
    const starts = startIds.get(dep.service) ?? [];
    if (dep.condition === 'service_started' && (starts.length === 0 || dep.required)) continue; // see gatedDependencies
    settled.push(...starts);
    const entry: WaitDependency = {
      service: dep.service,
      containers: targets.map((t) => t.name),
      condition: dep.condition,
      required: dep.required,
    };
    const healthcheck = targets[0]!.healthcheck;
    if (dep.condition === 'service_healthy' && healthcheck) {
      entry.timeoutSeconds = Math.ceil((healthVerdictWithinMs(healthcheck) + HEALTH_WAIT_SLACK_MS) / 1000);
    }
    dependencies.push(entry);
  }
  if (dependencies.length === 0) return undefined;
  const words = dependencies
    .map((d) => `${d.service} (${d.condition}${d.required ? '' : ', required: false'})`)
    .join(', ');
  return {
    kind: 'container.wait',
    id: `wait:${service.name}`,
    cause: `${service.name} depends on ${words}`,
    after: [],
    settled,
    project,
    service: service.name,
    dependencies,
  };
}

/**
 * The dependencies of `service` that gate only its command (container.start releaseAfter),
 * not its preparation: required `service_started` ones. A dependency whose namespaces it
 * shares (network_mode, pid or ipc `service:X`) is not among them: its namespace must exist first.
 */
export function gatedDependencies(service: Service, namespaceOwners: string[]): Set<string> {
  return new Set(
    service.dependsOn
      .filter((d) => d.condition === 'service_started' && d.required && !namespaceOwners.includes(d.service))
      .map((d) => d.service),
  );
}

/**
 * The wait until `spec`, a replacement of container `old`, is ready: healthy when it has a
 * healthcheck, else started. `old` is removed only after it (order-edges.ts), so a
 * replacement that never gets ready leaves the old container serving.
 */
export function readinessWait(
  project: string,
  spec: ContainerSpec,
  old: string,
): Extract<Operation, { kind: 'container.wait' }> {
  const healthy = probeArgv(spec.healthcheck) !== undefined;
  // `ready`, not service_started: a replacement that exits with an error is no replacement.
  const dependency: WaitDependency = {
    service: spec.service,
    containers: [spec.name],
    condition: 'ready',
    required: true,
  };
  if (healthy)
    dependency.timeoutSeconds = Math.ceil((healthVerdictWithinMs(spec.healthcheck!) + HEALTH_WAIT_SLACK_MS) / 1000);
  return {
    kind: 'container.wait',
    id: `ready:${spec.name}`,
    cause: `${old} is removed once ${spec.name} is ${healthy ? 'healthy' : 'running'}`,
    after: [],
    project,
    service: spec.service,
    dependencies: [dependency],
    replaces: old,
  };
}
