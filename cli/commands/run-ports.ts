// The ports `stack run` publishes, as compose's run: none by default; `-P`/`--service-ports`
// the service's own `ports:`; `-p [IP:][HOST:]CONTAINER[/PROTO]` (repeatable, the `ports:`
// short syntax, ranges included) these. The host ports are chosen under the allocation lock
// (planner/plan/one-off-ports.ts).

import type { PortMapping, Service } from '../../model/types.js';
import { parsePorts } from '../../planner/load/ports.js';
import { UsageError } from '../usage-error.js';

export function publishedByRun(service: Service, opts: { publish?: string[]; servicePorts?: boolean }): PortMapping[] {
  const given = (opts.publish ?? []).flatMap((text) => {
    const parsed = parsePorts(text);
    if (!parsed.ok) throw new UsageError(`-p ${text}: ${parsed.why}`);
    return parsed.ports;
  });
  return [...(opts.servicePorts ? service.ports : []), ...given];
}

/** Every host port the mappings fix (a range's each): observe names who holds them. */
export function fixedPorts(ports: readonly PortMapping[]): { protocol: 'tcp' | 'udp'; port: number }[] {
  return ports
    .filter((p) => p.hostPort !== 0)
    .flatMap((p) =>
      Array.from({ length: (p.hostPortEnd ?? p.hostPort) - p.hostPort + 1 }, (_, i) => ({
        protocol: p.protocol,
        port: p.hostPort + i,
      })),
    );
}
