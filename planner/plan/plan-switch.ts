// Published ports while replacements get ready (plan-instances.ts): until then the NAT rules
// lead to the old containers, which still serve; once every replacement is ready, one more
// apply of the table switches them over, and only then are the old containers removed.

import type { ContainerSpec, NatSpec, NetworkSpec, PortRule } from '../../model/plan.js';
import type { Replacement } from './plan-instances.js';
import { natSpec } from './plan-nat.js';
import type { Stack } from '../../model/types.js';

/**
 * `ports` (the final rules) with the rules of each replacement leading to the container it
 * replaces, unless they lead to the replacement already (`published`: the rules on the host;
 * an earlier apply switched them and was cut short before the removal).
 */
export function portsWhileReplacing(
  ports: PortRule[],
  specs: Map<string, ContainerSpec>,
  replacements: Map<string, Replacement>,
  published: PortRule[] = [],
): PortRule[] {
  const oldOf = new Map<string, { name: string; ip?: string }>();
  for (const [slot, { old, resume }] of replacements) {
    const spec = specs.get(slot);
    if (resume && published.some((p) => p.container === spec?.name)) continue;
    const network = spec?.endpoints.find((e) => e.defaultRoute)?.network;
    const ip = old.endpoints.find((e) => e.network === network)?.ip;
    if (spec) oldOf.set(spec.name, { name: old.name, ...(ip ? { ip } : {}) });
  }
  return ports.map((rule) => {
    const old = oldOf.get(rule.container);
    return old?.ip ? { ...rule, container: old.name, containerIp: old.ip } : rule;
  });
}

/** The table after the switch; undefined when no rule changes (no replacement publishes a port). */
export function switchedNat(
  stack: Stack,
  interim: PortRule[],
  ports: PortRule[],
  nets: Map<string, NetworkSpec>,
): NatSpec | undefined {
  const after = natSpec(stack, ports, nets);
  return after && natSpec(stack, interim, nets)?.hash !== after.hash ? after : undefined;
}
