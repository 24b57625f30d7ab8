// reconcile(stack, observed) → Plan: the only place that decides what changes. It keeps
// what already matches the file (same config hash, still running), recreates what
// differs, creates what is missing and removes what the file no longer names.

import type { Observed, ObservedContainer } from './observed.js';
import type { ContainerSpec, NatSpec, NetworkSpec, Operation, Plan } from './plan.js';
import type { Stack } from './types.js';
import { PlanError } from './plan-error.js';
import { buildContainerSpec } from './container-spec.js';
import { dependencyOrder } from './graph.js';
import { hashOf } from './hash.js';
import { normalizeImageRef } from './image-ref.js';
import { natTableName } from './names.js';
import { planNetworks } from './plan-networks.js';
import { planEndpoints } from './plan-endpoints.js';
import { checkHostPorts } from './check-host-ports.js';

export interface ReconcileOptions {
  /** Remove containers of services that are no longer in the file. */
  removeOrphans?: boolean;
  /** Recreate containers even when their config is unchanged. */
  forceRecreate?: boolean;
}

export function reconcile(stack: Stack, observed: Observed, opts: ReconcileOptions = {}): Plan {
  const problems: string[] = [];
  const operations: Operation[] = [];
  const notes: string[] = [];

  const nets = planNetworks(stack, observed, problems);
  operations.push(...nets.operations);

  const specs = buildSpecs(stack, observed, nets.specs, problems);
  checkHostPorts(stack, observed, problems);
  if (problems.length > 0) throw new PlanError(problems);

  const removeIds: string[] = [];
  const startIds = new Map<string, string>();
  const removeOp = (c: ObservedContainer, cause: string): string => {
    const id = `remove:${c.name}`;
    operations.push({
      kind: 'container.remove',
      id,
      cause,
      after: [],
      project: stack.project,
      name: c.name,
      stopSignal: c.stopSignal,
      stopGraceSeconds: c.stopGraceSeconds,
      hostVeths: c.endpoints.map((e) => e.hostVeth),
    });
    removeIds.push(id);
    return id;
  };

  const nat = natSpec(stack, [...specs.values()], nets.specs);
  const natChanged = nat && (!observed.nat || !observed.nat.present || observed.nat.hash !== nat.hash);
  if (nat && natChanged) {
    operations.push({
      kind: 'nat.apply',
      id: 'nat',
      cause: !observed.nat
        ? 'published ports and egress need NAT rules'
        : !observed.nat.present
          ? `nftables table ${nat.table} is missing on the host`
          : 'published ports or networks changed',
      after: nets.createIds,
      nat,
    });
  }

  for (const level of dependencyOrder(stack)) {
    for (const serviceName of level) {
      const service = stack.services.find((s) => s.name === serviceName)!;
      const spec = specs.get(serviceName)!;
      const existing = observed.containers.find((c) => c.service === serviceName);
      const cause = startCause(existing, spec, opts, nets.createIds);
      if (!cause) continue;
      const after = [...nets.createIds];
      if (existing) after.push(removeOp(existing, cause));
      if (nat && natChanged) after.push('nat');
      for (const dep of service.dependsOn) {
        const depId = startIds.get(dep.service);
        if (depId) after.push(depId);
      }
      const id = `start:${serviceName}`;
      startIds.set(serviceName, id);
      operations.push({ kind: 'container.start', id, cause, after, container: spec });
    }
  }

  for (const orphan of observed.containers.filter((c) => !specs.has(c.service))) {
    if (opts.removeOrphans) removeOp(orphan, `service ${orphan.service} is no longer in the stack file`);
    else notes.push(`container ${orphan.name} belongs to service ${orphan.service}, which is not in the stack file; --remove-orphans removes it`);
  }

  for (const op of operations) {
    if (op.kind === 'network.remove' || op.kind === 'network.create') op.after.push(...removeIds.filter((id) => !op.after.includes(id)));
  }
  if (!nat && observed.nat) {
    operations.push({ kind: 'nat.remove', id: 'nat-remove', cause: 'no network needs NAT any more', after: [], project: stack.project, table: observed.nat.table });
  }
  for (const service of stack.services) {
    for (const p of service.ports.filter((port) => port.hostPort === 0)) {
      notes.push(`service ${service.name}: port ${p.containerPort}/${p.protocol} names no host port and is not published (random host ports are not supported yet); write "HOST:${p.containerPort}"`);
    }
  }
  return { project: stack.project, operations, notes };
}

function startCause(existing: ObservedContainer | undefined, spec: ContainerSpec, opts: ReconcileOptions, networkCreates: string[]): string | undefined {
  if (!existing) return `service ${spec.service} has no container`;
  // A recreated bridge does not get the old veths back: the container must be rewired.
  const rewired = existing.endpoints.find((e) => networkCreates.includes(`network:${e.network}`));
  if (rewired) return `network ${rewired.network} is recreated, so ${existing.name} must be reattached`;
  if (existing.hash !== spec.hash) return `configuration of service ${spec.service} changed`;
  if (!existing.running) return `container ${existing.name} is not running${existing.exitCode !== undefined ? ` (exited with ${existing.exitCode})` : ''}`;
  if (opts.forceRecreate) return '--force-recreate';
  return undefined;
}

function buildSpecs(stack: Stack, observed: Observed, nets: Map<string, NetworkSpec>, problems: string[]): Map<string, ContainerSpec> {
  const specs = new Map<string, ContainerSpec>();
  const endpoints = planEndpoints(stack, observed, nets, problems);
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
    const planned = endpoints.get(service.name);
    if (!planned) continue;
    const spec = buildContainerSpec(stack.project, service, image, planned.endpoints, planned.hosts);
    if (spec.argv.length === 0) {
      problems.push(`service ${service.name}: neither the file nor image ${ref} gives a command to run; set \`command:\``);
      continue;
    }
    specs.set(service.name, spec);
  }
  return specs;
}

function natSpec(stack: Stack, specs: ContainerSpec[], nets: Map<string, NetworkSpec>): NatSpec | undefined {
  if (nets.size === 0) return undefined;
  const ports = specs.flatMap((spec) => {
    const service = stack.services.find((s) => s.name === spec.service)!;
    const ip = spec.endpoints[0]?.ip;
    if (!ip) return [];
    return service.ports
      .filter((p) => p.hostPort !== 0)
      .map((p) => ({
        service: spec.service,
        container: spec.name,
        protocol: p.protocol,
        ...(p.hostIp && p.hostIp !== '0.0.0.0' ? { hostIp: p.hostIp } : {}),
        hostPort: p.hostPort,
        containerIp: ip,
        containerPort: p.containerPort,
      }));
  });
  const networks = [...nets.values()].map((n) => ({ bridge: n.bridge, subnet: n.subnet }));
  const shape = { project: stack.project, table: natTableName(stack.project), networks, ports };
  return { ...shape, hash: hashOf(shape) };
}
