// `ports:` entries the schema accepts in shape but that do not make sense (port 70000,
// mismatched ranges), and host ports published twice within the stack, ranges expanded.

import { canonicalIp6, isIpv6 } from '../../../model/ipam6.js';
import { parsePorts } from '../ports.js';
import type { PathSeg } from '../source-map.js';
import type { PortMapping } from '../../../model/types.js';
import { list, obj, type Obj, type RuleContext } from './context.js';

/** Same shape as the schema's port string pattern: what is left wrong after it is a range. */
const PORT_SHAPE =
  /^(?:(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]+\]):(?:\d{1,5}(?:-\d{1,5})?)?:|\d{1,5}(?:-\d{1,5})?:)?\d{1,5}(?:-\d{1,5})?(?:\/(?:tcp|udp))?$/;
const shaped = (e: unknown): boolean =>
  typeof e === 'number' ||
  (typeof e === 'string' && PORT_SHAPE.test(e)) ||
  (obj(e) !== undefined && /^\d+$/.test(String(obj(e)!.target)));

export interface Published {
  service: string;
  port: PortMapping;
}

/** Both fixed (not "any port of a range"), same protocol and port, and addresses that meet. */
function clashes(a: PortMapping, b: PortMapping): boolean {
  if (a.hostPortEnd !== undefined || b.hostPortEnd !== undefined) return false;
  return (
    a.protocol === b.protocol &&
    a.hostPort === b.hostPort &&
    (a.hostIp === undefined || b.hostIp === undefined || a.hostIp === b.hostIp)
  );
}

/**
 * stack publishes ports by NAT (executor/host/linux/nat-ruleset.ts, nat6-ruleset.ts), and
 * the kernel never routes a packet from ::1 out of the host's loopback (IPv6 has no
 * route_localnet), so no DNAT can lead [::1] to a container: docker serves it with its
 * userland proxy, which stack does not have.
 */
function ipv6LoopbackMessage(service: string, hostIp: string): string {
  return `valid Compose, not supported by stack: IPv6 loopback host_ip "${hostIp}" in a port of service "${service}": the kernel cannot NAT ::1 into a container (docker uses its userland proxy there, which stack has not); use 127.0.0.1, the host's IPv6 address or "::", or leave host_ip out`;
}

export function checkPorts(ctx: RuleContext, name: string, svc: Obj, published: Published[]): void {
  list(svc.ports).forEach((entry, i) => {
    const path: PathSeg[] = ['services', name, 'ports', i];
    const r = parsePorts(entry);
    if (!r.ok) {
      if (shaped(entry)) ctx.at(path, `invalid port ${JSON.stringify(entry)} in service "${name}": ${r.why}`);
      return;
    }
    const loopback6 = r.ports.find(
      (p) => p.hostIp !== undefined && isIpv6(p.hostIp) && canonicalIp6(p.hostIp) === '::1',
    );
    if (loopback6) {
      ctx.at(obj(entry) ? [...path, 'host_ip'] : path, ipv6LoopbackMessage(name, loopback6.hostIp!));
      return;
    }
    for (const port of r.ports) {
      if (port.hostPort === 0) continue;
      const clash = published.find((p) => clashes(p.port, port));
      if (!clash) {
        published.push({ service: name, port });
        continue;
      }
      const what = `${port.hostIp ? `${port.hostIp}:` : ''}${port.hostPort}/${port.protocol}`;
      const other = clash.service === name ? 'the same service' : `service "${clash.service}"`;
      ctx.at(path, `host port ${what} of service "${name}" is already published by ${other}`);
      return;
    }
  });
}
