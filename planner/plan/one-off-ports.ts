// The host ports of a one-off (`stack run -p HOST:CONTAINER`, `-P` for the service's own
// `ports:`), chosen as `up` chooses its containers' (plan-ports.ts): a fixed port as
// written, else the first free one of its range, or of the ephemeral range without one.
// Taken means held by a host socket, another stack's rule, a running one-off of any stack
// (model/port-holders.ts, from observe) or a port this stack's table publishes: the error
// names the holder. The caller runs this under the allocation lock and writes the rules
// into the one-off's record before letting go (cli/commands/run-claim.ts), so two runs
// never take one port. Pure.

import type { Observed } from '../../model/observed.js';
import type { ContainerSpec, PortRule } from '../../model/plan.js';
import type { PortMapping } from '../../model/types.js';
import { PortHolders, portText, type HostPortKey } from '../../model/port-holders.js';
import { EPHEMERAL } from './plan-ports.js';
import { OneOffError } from './one-off.js';

const keyOf = (p: { protocol: 'tcp' | 'udp'; hostIp?: string }, port: number): HostPortKey => ({
  protocol: p.protocol,
  port,
  ...(p.hostIp ? { hostIp: p.hostIp } : {}),
});

export function oneOffPorts(spec: ContainerSpec, wanted: readonly PortMapping[], observed: Observed): PortRule[] {
  if (wanted.length === 0) return [];
  // As `up`: published ports lead to the address on the network with the default route.
  const containerIp = spec.endpoints.find((e) => e.defaultRoute)?.ip;
  if (!containerIp)
    throw new OneOffError(
      `service ${spec.service} has no network address to publish ports to (network_mode ${spec.networkMode ?? 'none'})`,
    );
  const holders = new PortHolders(observed);
  for (const r of observed.nat?.ports ?? [])
    holders.reserve(keyOf(r, r.hostPort), {
      what: `published by service ${r.service} of this stack (${r.container})`,
      fix: `stop ${r.container}`,
    });
  return wanted.map((p) => {
    if (p.hostIp?.includes(':'))
      throw new OneOffError(`-p ${p.hostIp}: stack publishes ports on IPv4 host addresses only`);
    const first = p.hostPort === 0 ? EPHEMERAL.first : p.hostPort;
    const last = p.hostPort === 0 ? EPHEMERAL.last : (p.hostPortEnd ?? p.hostPort);
    let port = first;
    while (port <= last && holders.holderOf(keyOf(p, port))) port++;
    if (port > last) {
      const holder = holders.holderOf(keyOf(p, first))!;
      const range = portText(p.hostIp, first === last ? `${first}` : `${first}-${last}`, p.protocol);
      throw new OneOffError(
        `host port ${range} is ${holder.what}${first === last ? '' : ' (and every other port of the range is taken)'}; choose another host port or ${holder.fix}`,
      );
    }
    const rule: PortRule = {
      service: spec.service,
      container: spec.name,
      protocol: p.protocol,
      ...(p.hostIp ? { hostIp: p.hostIp } : {}),
      hostPort: port,
      containerIp,
      containerPort: p.containerPort,
    };
    holders.reserve(keyOf(p, port), { what: `published by this one-off already`, fix: 'give it another host port' });
    return rule;
  });
}
