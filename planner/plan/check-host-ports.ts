// Published ports are nftables DNAT rules, so a program already listening on the same host
// port would be silently shadowed (its traffic goes to the container), and a second stack's
// rule for a port another stack publishes would fight the first one's. reconcile() turns
// every such clash into a plan problem before anything is made. This stack's own rules are
// neither sockets nor foreign rules, so there is no self-clash.

import type { Observed } from '../../model/observed.js';
import type { Stack } from '../../model/types.js';
import { PortHolders, portText } from '../../model/port-holders.js';

/** The protocol/port pairs the file publishes on the host, every port of a range (observe looks up their owners). */
export function publishedPorts(stack: Stack): { protocol: 'tcp' | 'udp'; port: number }[] {
  const seen = new Map<string, { protocol: 'tcp' | 'udp'; port: number }>();
  for (const s of stack.services) {
    for (const p of s.ports) {
      if (p.hostPort === 0) continue;
      for (let port = p.hostPort; port <= (p.hostPortEnd ?? p.hostPort); port++)
        seen.set(`${p.protocol}/${port}`, { protocol: p.protocol, port });
    }
  }
  return [...seen.values()];
}

/** One problem per fixed published port that a host program or another stack already holds. */
export function checkHostPorts(stack: Stack, observed: Observed): string[] {
  const problems: string[] = [];
  const holders = new PortHolders(observed);
  for (const service of stack.services) {
    for (const port of service.ports) {
      // No host port, or a range: plan-ports chooses a free one, so no clash is possible.
      if (port.hostPort === 0 || port.hostPortEnd !== undefined) continue;
      const holder = holders.holderOf({
        protocol: port.protocol,
        port: port.hostPort,
        ...(port.hostIp ? { hostIp: port.hostIp } : {}),
      });
      if (!holder) continue;
      const what = portText(port.hostIp, String(port.hostPort), port.protocol);
      problems.push(
        `service ${service.name}: host port ${what} is ${holder.what}; choose another host port or ${holder.fix}`,
      );
    }
  }
  return problems;
}
