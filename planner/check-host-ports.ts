// Published ports are nftables DNAT rules, so a program already listening on the same host
// port would be silently shadowed (its traffic goes to the container). reconcile() turns
// every such clash into a plan problem before anything is made. Stack's own published
// ports never show as listeners (they are rules, not sockets), so there is no self-clash.

import type { HostPort, Observed } from './observed.js';
import type { PortMapping, Stack } from './types.js';

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** `::ffff:127.0.0.1` is 127.0.0.1 for the purpose of a clash. */
const plain = (ip: string): string => (ip.toLowerCase().startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip.toLowerCase());

function clashes(published: PortMapping, listener: HostPort): boolean {
  if (published.protocol !== listener.protocol || published.hostPort !== listener.port) return false;
  const a = plain(published.hostIp ?? '0.0.0.0');
  const b = plain(listener.ip);
  return WILDCARDS.has(a) || WILDCARDS.has(b) || a === b;
}

/** The protocol/port pairs the file publishes on the host (observe looks up their owners). */
export function publishedPorts(stack: Stack): { protocol: 'tcp' | 'udp'; port: number }[] {
  const seen = new Map<string, { protocol: 'tcp' | 'udp'; port: number }>();
  for (const s of stack.services) for (const p of s.ports) if (p.hostPort !== 0) seen.set(`${p.protocol}/${p.hostPort}`, { protocol: p.protocol, port: p.hostPort });
  return [...seen.values()];
}

/** Adds one problem per published port that a host program already holds. */
export function checkHostPorts(stack: Stack, observed: Observed, problems: string[]): void {
  for (const service of stack.services) {
    for (const port of service.ports) {
      if (port.hostPort === 0) continue;
      const holders = observed.hostPorts.filter((l) => clashes(port, l));
      if (holders.length === 0) continue;
      // Name a program when one is known; an unknown owner only when that is all there is.
      const holder = holders.find((h) => h.pid !== undefined) ?? holders[0]!;
      const who = holder.pid === undefined ? 'another program' : `pid ${holder.pid}${holder.command ? ` (${holder.command})` : ''}`;
      const ip = port.hostIp === undefined ? '' : port.hostIp.includes(':') ? `[${port.hostIp}]:` : `${port.hostIp}:`;
      const what = `${ip}${port.hostPort}/${port.protocol}`;
      problems.push(`service ${service.name}: host port ${what} is taken by ${who} on ${holder.ip}; choose another host port or stop that program`);
    }
  }
}
