// Which of the stack's networks a service's pod is on: its own `networks:`, or with
// `network_mode: service:X` those of X (it shares X's namespace in the stack; in Kubernetes
// it is a pod of its own, so it gets X's memberships). `none` is on none; `host` and
// `container:NAME` cannot carry over (carry-over.ts warns).

import type { Service, Stack } from '../../model/types.js';
import { ownsNetworks } from '../../planner/plan/network-mode.js';

export type PodNetworks = { kind: 'networks'; keys: string[] } | { kind: 'host' } | { kind: 'none' };

export function podNetworks(stack: Stack, service: Service, seen: Set<string> = new Set()): PodNetworks {
  const mode = service.networkMode;
  if (ownsNetworks(mode)) return { kind: 'networks', keys: service.networks.map((n) => n.network) };
  if (mode === 'host') return { kind: 'host' };
  if (mode?.startsWith('service:') && !seen.has(service.name)) {
    const other = stack.services.find((s) => s.name === mode.slice('service:'.length));
    if (other) return podNetworks(stack, other, new Set([...seen, service.name]));
  }
  return { kind: 'none' };
}

/** The keys of the networks the pod joins (none for host and none modes). */
export function networkKeys(stack: Stack, service: Service): string[] {
  const n = podNetworks(stack, service);
  return n.kind === 'networks' ? n.keys : [];
}
