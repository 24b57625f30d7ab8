// Replicas: which containers each service should have (`scale`/`deploy.replicas`, or
// `up --scale svc=N`), and the removal of the surplus when a service scales down: highest
// numbers first, each after the one above it, so an interrupted scale-down never leaves a
// gap in the numbering. The other replicas are not touched.

import type { ObservedContainer } from '../../model/observed.js';
import type { Operation } from '../../model/plan.js';
import type { Service, Stack } from '../../model/types.js';
import { containerName } from '../../model/names.js';

/** One desired container: replica `replica` of `service`. */
export interface Slot {
  service: Service;
  replica: number;
  name: string;
}

export function replicaCount(service: Service, scale: Record<string, number> | undefined): number {
  return scale?.[service.name] ?? service.replicas;
}

/** Every desired container, services in file order (sorted by name), replicas ascending; and why some cannot be. */
export function desiredSlots(
  stack: Stack,
  scale: Record<string, number> | undefined,
): { slots: Slot[]; problems: string[] } {
  const problems = Object.keys(scale ?? {})
    .filter((name) => !stack.services.some((s) => s.name === name))
    .map((name) => `--scale ${name}=…: the stack file has no service ${name}`);
  const slots: Slot[] = [];
  for (const service of stack.services) {
    const count = replicaCount(service, scale);
    if (count > 1) problems.push(...unscalable(service, count));
    for (let replica = 1; replica <= count; replica++)
      slots.push({ service, replica, name: containerName(stack.project, service.name, replica) });
  }
  return { slots, problems };
}

/**
 * What one container per service may hold alone: a host port, a fixed address, a fixed
 * name. A host range is not one port: each replica takes a free one of it (plan-ports.ts).
 */
function unscalable(service: Service, count: number): string[] {
  const why = (what: string, fix: string) => `service ${service.name}: ${count} replicas cannot share ${what}; ${fix}`;
  const problems: string[] = [];
  const fixed = service.ports.find((p) => p.hostPort !== 0 && p.hostPortEnd === undefined);
  if (fixed)
    problems.push(
      why(
        `host port ${fixed.hostPort}/${fixed.protocol}`,
        'remove the host port from `ports:`, give a range (`8000-8009:80`) or run one replica',
      ),
    );
  const ip = service.networks.find((n) => n.ipv4Address);
  if (ip) problems.push(why(`ipv4_address ${ip.ipv4Address}`, 'remove `ipv4_address` or run one replica'));
  if (service.containerName)
    problems.push(why(`container_name ${service.containerName}`, 'remove `container_name` or run one replica'));
  return problems;
}

/** n of a container named `<project>-<service>-<n>`. */
export function replicaOf(c: ObservedContainer): number {
  if (c.replica !== undefined) return c.replica;
  const n = Number(c.name.slice(c.name.lastIndexOf('-') + 1));
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * Removal of the containers of `service` (`containers`: its observed ones) numbered above
 * `count`, highest first. `remove` makes one container.remove operation and returns its id.
 */
export function scaleDown(
  service: string,
  count: number,
  containers: ObservedContainer[],
  remove: (c: ObservedContainer, cause: string, after: string[]) => string,
): void {
  const surplus = containers.filter((c) => replicaOf(c) > count).sort((a, b) => replicaOf(b) - replicaOf(a));
  let previous: string | undefined;
  for (const c of surplus) {
    previous = remove(
      c,
      `service ${service} scales down to ${count} replica${count === 1 ? '' : 's'}`,
      previous ? [previous] : [],
    );
  }
}
