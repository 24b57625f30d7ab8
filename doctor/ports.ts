// Published ports against the host's ephemeral port range (net.ipv4.ip_local_port_range),
// which the kernel hands out to outgoing connections. stack chooses a port a service leaves
// open (`"80"`) from 32768-60999, as docker does; a fixed host port inside the host's range
// may be held by some outgoing connection when `up` runs (it then refuses, naming the
// holder), unless net.ipv4.ip_local_reserved_ports keeps it out of the kernel's hands.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { EPHEMERAL } from '../planner/plan/plan-ports.js';
import { ok, warn, type Check } from './verdict.js';

/** A fixed host port the stack file in the current folder publishes. */
export interface PublishedPort {
  service: string;
  port: number;
}

function range(probe: DoctorProbe): { first: number; last: number } | undefined {
  const [first, last] = (probe.read('/proc/sys/net/ipv4/ip_local_port_range') ?? '').trim().split(/\s+/).map(Number);
  return Number.isInteger(first) && Number.isInteger(last) ? { first: first!, last: last! } : undefined;
}

/** `8080,9000-9010` → a membership test. */
function reserved(probe: DoctorProbe): (port: number) => boolean {
  const spans = (probe.read('/proc/sys/net/ipv4/ip_local_reserved_ports') ?? '')
    .trim()
    .split(',')
    .filter(Boolean)
    .map((s) => s.split('-').map(Number))
    .map(([a, b]) => [a!, b ?? a!] as const);
  return (port) => spans.some(([a, b]) => port >= a && port <= b);
}

/** The check, given the fixed host ports of the stack file found in the current folder (if any). */
export function portsCheck(published: PublishedPort[]): Check {
  return {
    name: 'ports',
    run(probe) {
      const host = range(probe);
      const window = `${EPHEMERAL.first}-${EPHEMERAL.last}`;
      if (!host) return ok('ports', `stack chooses ports a service leaves open from ${window}`);
      const span = `${host.first}-${host.last}`;
      const isReserved = reserved(probe);
      const exposed = published.filter((p) => p.port >= host.first && p.port <= host.last && !isReserved(p.port));
      if (exposed.length > 0) {
        const ports = [...new Set(exposed.map((p) => p.port))].sort((a, b) => a - b);
        return warn(
          'ports',
          `the stack file publishes ${exposed.map((p) => `${p.port} (${p.service})`).join(', ')} inside the host's ephemeral range ${span}: an outgoing connection may hold such a port when \`up\` runs`,
          `reserve them: sysctl -w net.ipv4.ip_local_reserved_ports=${ports.join(',')} (or publish ports below ${host.first})`,
        );
      }
      const same = span === window ? 'the same range' : `stack's range ${window}`;
      return ok(
        'ports',
        `host ephemeral range ${span}; ${same} for ports a service leaves open${published.length > 0 ? "; the stack file's fixed ports are outside it or reserved" : ''}`,
      );
    },
  };
}
