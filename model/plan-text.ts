// The stable text form of a Plan: what `stack plan` prints and what golden tests compare.
// One line per operation with its subject, then its cause and what it waits for.

import type { MountSpec, Operation, Plan, PortRule } from './plan.js';
import type { DependencyCondition } from './types.js';

export function planToText(plan: Plan): string {
  const lines = [
    `plan for ${plan.project}: ${plan.operations.length === 0 ? 'nothing to do' : `${plan.operations.length} operation${plan.operations.length === 1 ? '' : 's'}`}`,
  ];
  for (const op of plan.operations) {
    lines.push(`  ${op.id}  ${op.kind} ${describe(op)}`);
    lines.push(`      because ${op.cause}`);
    if (op.after.length > 0) lines.push(`      after ${op.after.join(', ')}`);
    if (op.settled?.length) lines.push(`      once finished (even if failed) ${op.settled.join(', ')}`);
    if (op.kind === 'container.start' && op.preStart)
      lines.push(`      runs its pre_start steps first (${op.container.preStart?.length ?? 0})`);
    if (op.kind === 'container.start' && op.releaseAfter?.length)
      lines.push(`      runs its command after ${op.releaseAfter.join(', ')}`);
  }
  for (const note of plan.notes) lines.push(`  note: ${note}`);
  return lines.join('\n') + '\n';
}

const conditionWord: Record<DependencyCondition | 'ready', string> = {
  service_started: 'started',
  service_healthy: 'healthy',
  service_completed_successfully: 'completed',
  ready: 'ready',
};

/** `127.0.0.1:`, `[::]:` or nothing (every address) before a published port. */
const hostText = (p: PortRule) =>
  p.hostIp === undefined ? '' : p.hostIp.includes(':') ? `[${p.hostIp}]:` : `${p.hostIp}:`;

/** Where a published port leads: the IPv4 address, the IPv6 one in brackets, or both (no host address: both families). */
function destinationsText(p: PortRule): string {
  const v4 = p.hostIp?.includes(':') ? [] : [p.containerIp];
  const v6 = p.containerIp6 && !p.hostIp?.includes('.') ? [`[${p.containerIp6}]`] : [];
  return [...v4, ...v6].join(',');
}

export function describe(op: Operation): string {
  switch (op.kind) {
    case 'network.create':
      return `${op.network.name} bridge=${op.network.bridge} subnet=${op.network.subnet} gateway=${op.network.gateway}${op.network.subnet6 ? ` subnet6=${op.network.subnet6} gateway6=${op.network.gateway6}` : ''}`;
    case 'network.remove':
      return `${op.key} bridge=${op.bridge}`;
    case 'bridge.join':
      return `default bridge=${op.network.bridge} subnet=${op.network.subnet} gateway=${op.network.gateway}`;
    case 'bridge.leave':
      return `default bridge=${op.bridge}`;
    case 'container.create':
    case 'container.start': {
      const c = op.container;
      const ips = c.endpoints.map((e) => `${e.network}=${e.ip}${e.ip6 ? `,${e.ip6}` : ''}`).join(' ');
      const mounts = c.mounts.map(mountText).join(' ');
      const shared = Object.entries(c.namespaces ?? {}).map(([kind, mode]) => ` ${kind}=${mode}`);
      return `${c.name} image=${c.image.ref} ${ips ? `ip ${ips} ` : ''}cmd=${JSON.stringify(c.argv)}${shared.join('')}${mounts ? ` mounts ${mounts}` : ''}`;
    }
    case 'container.remove':
      return `${op.name}${op.drainMs ? ` drain≤${op.drainMs / 1000}s` : ''} stop=${op.stopSignal} grace=${op.stopGraceSeconds}s`;
    case 'container.stop':
      return `${op.name} stop=${op.stopSignal} grace=${op.stopGraceSeconds}s`;
    case 'container.resume':
      return op.name;
    case 'container.signal':
      return `${op.name} ${op.signal}${op.stops ? ' (stops it)' : ''}`;
    case 'container.freeze':
      return `${op.name} ${op.frozen ? 'frozen' : 'thawed'}`;
    case 'container.wait':
      return `${op.service} for ${op.dependencies
        .map(
          (d) =>
            `${d.service} ${conditionWord[d.condition]}${d.required ? '' : ' (optional)'}${d.timeoutSeconds !== undefined ? ` within ${d.timeoutSeconds}s` : ''}`,
        )
        .join(', ')}`;
    case 'nat.apply': {
      const ports = op.nat.ports.map(
        (p) => `${hostText(p)}${p.hostPort}->${destinationsText(p)}:${p.containerPort}/${p.protocol}`,
      );
      return `${op.nat.table}${ports.length ? ` ports ${ports.join(' ')}` : ''}`;
    }
    case 'nat.remove':
      return op.table;
    case 'ports.unpublish':
      return `${op.table} (ports of one-off ${op.container})`;
    case 'volume.remove':
      return op.name;
    case 'stack.forget':
      return op.project;
  }
}

/**
 * `volume:app_data:/data`, `volume:app_data(/srv/data):/data` (kept in a host folder),
 * `bind:/srv:/srv:ro`, `tmpfs:/run`, `file:/run/secrets/pw` (a secret's text never shows).
 */
function mountText(m: MountSpec): string {
  const source =
    m.type === 'volume' || m.type === 'bind' || m.type === 'image'
      ? `${m.source}${m.device ? `(${m.device})` : ''}${m.type === 'image' && m.subpath ? `/${m.subpath}` : ''}:`
      : '';
  return `${m.type}:${source}${m.target}${m.readOnly && m.type !== 'file' ? ':ro' : ''}`;
}
