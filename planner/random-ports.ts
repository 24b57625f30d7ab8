// Host ports for `ports:` entries that name none (`"80"`, `hostPort 0`): docker picks a free
// one at start; stack picks it in the plan, from what observe saw, so `stack plan` shows it.
// A port chosen by an earlier apply for the same container port is kept (a re-apply then
// changes nothing); otherwise the lowest port of Linux's ephemeral range that no host
// socket, no other stack's rule and no other entry of this stack uses.

import type { Observed } from './observed.js';
import type { Stack } from './types.js';

const FIRST = 32768;
const LAST = 60999;

export type HostPortChooser = (container: string, protocol: 'tcp' | 'udp', containerPort: number, hostIp: string | undefined) => number | undefined;

export function hostPortChooser(stack: Stack, observed: Observed): HostPortChooser {
  const taken = new Set<string>();
  const key = (protocol: string, port: number) => `${protocol}/${port}`;
  for (const l of observed.hostPorts) taken.add(key(l.protocol, l.port));
  for (const p of observed.foreignPorts ?? []) taken.add(key(p.protocol, p.port));
  for (const s of stack.services) for (const p of s.ports) if (p.hostPort !== 0) taken.add(key(p.protocol, p.hostPort));
  const earlier = observed.nat?.ports ?? [];
  return (container, protocol, containerPort, hostIp) => {
    const kept = earlier.find((r) => r.container === container && r.protocol === protocol && r.containerPort === containerPort && r.hostIp === hostIp && !taken.has(key(protocol, r.hostPort)));
    if (kept) {
      taken.add(key(protocol, kept.hostPort));
      return kept.hostPort;
    }
    for (let port = FIRST; port <= LAST; port++) {
      if (taken.has(key(protocol, port))) continue;
      taken.add(key(protocol, port));
      return port;
    }
    return undefined;
  };
}
