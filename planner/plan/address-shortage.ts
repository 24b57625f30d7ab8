// Containers that found no free address, gathered per network so that a subnet too small
// for the scale asked for is one problem (with the counts and the fix), not one line per
// container: `up --scale worker=500` on a /24 printed the same line 248 times.

import type { NetworkSpec } from '../../model/plan.js';
import type { Stack } from '../../model/types.js';

export class AddressShortage {
  /** Network key → service → [containers without an address, containers asked for]. */
  private readonly missing = new Map<string, Map<string, [number, number]>>();

  /** Replica `placed === false` of `service` on `network`; every replica is counted, so the totals say how many were asked for. */
  count(network: string, service: string, placed: boolean): void {
    const services = this.missing.get(network) ?? new Map<string, [number, number]>();
    this.missing.set(network, services);
    const [short, wanted] = services.get(service) ?? [0, 0];
    services.set(service, [short + (placed ? 0 : 1), wanted + 1]);
  }

  /** One problem per network that ran out of addresses. */
  problems(stack: Stack, nets: Map<string, NetworkSpec>): string[] {
    const problems: string[] = [];
    for (const [key, services] of this.missing) {
      const counts = [...services.values()];
      const short = counts.reduce((n, [s]) => n + s, 0);
      if (short === 0) continue;
      const net = nets.get(key)!;
      const total = counts.reduce((n, [, w]) => n + w, 0);
      const each = [...services]
        .filter(([, [s]]) => s > 0)
        .map(([name, [s, w]]) => `${name}: ${s} of ${w}`)
        .join(', ');
      problems.push(
        `network ${key}: no free address left in ${net.ipRange ?? net.subnet} for ${short} of the ${total} containers on it (${each}); ${fix(stack, key, net)}`,
      );
    }
    return problems;
  }
}

function fix(stack: Stack, key: string, net: NetworkSpec): string {
  if (net.owner !== undefined && net.owner !== stack.project)
    return `network ${net.name} belongs to stack ${net.owner}, whose file sets its subnet`;
  const declared = stack.networks.find((n) => n.key === key);
  if (declared?.ipRange) return 'set a larger ipam.config ip_range (or subnet)';
  if (declared?.subnet) return 'set a larger ipam.config subnet';
  return 'its subnet was sized for the containers it had when it was made: `stack down` and `up` again to get one sized for this scale, or set a larger ipam.config subnet';
}
