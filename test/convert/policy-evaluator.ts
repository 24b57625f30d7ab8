// A small NetworkPolicy evaluator (networking.k8s.io/v1 semantics, one namespace): whether
// a connection from one pod to another on a port is allowed. A pod that no policy selects
// for a direction is open in that direction; one that some policy selects is closed but
// for what the rules of all policies selecting it allow, and a connection needs both the
// source's egress and the destination's ingress to allow it.

import type { K8sObject } from '../../convert/kubernetes/convert-types.js';

export interface Pod {
  labels: Record<string, string>;
}

interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: unknown;
  ipBlock?: unknown;
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port?: number; protocol?: string }[];
}
interface PolicySpec {
  podSelector: { matchLabels?: Record<string, string> };
  policyTypes: ('Ingress' | 'Egress')[];
  ingress?: Rule[];
  egress?: Rule[];
}

const matches = (selector: { matchLabels?: Record<string, string> } | undefined, pod: Pod) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => pod.labels[k] === v);

/** A peer of this namespace's pods: a namespaceSelector or ipBlock peer names pods elsewhere (cluster DNS). */
const peerMatches = (peer: Peer, pod: Pod) =>
  !peer.namespaceSelector && !peer.ipBlock && matches(peer.podSelector, pod);

function ruleAllows(rule: Rule, peers: Peer[] | undefined, other: Pod, port: number, protocol: string): boolean {
  const portOk =
    !rule.ports?.length ||
    rule.ports.some((p) => (p.port === undefined || p.port === port) && (p.protocol ?? 'TCP') === protocol);
  const peerOk = peers === undefined || peers.length === 0 || peers.some((p) => peerMatches(p, other));
  return portOk && peerOk;
}

function directionAllows(
  policies: PolicySpec[],
  pod: Pod,
  other: Pod,
  type: 'Ingress' | 'Egress',
  port: number,
  protocol: string,
): boolean {
  const selecting = policies.filter((p) => matches(p.podSelector, pod) && p.policyTypes.includes(type));
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (type === 'Ingress' ? (p.ingress ?? []) : (p.egress ?? [])).some((r) =>
      ruleAllows(r, type === 'Ingress' ? r.from : r.to, other, port, protocol),
    ),
  );
}

export function allowed(
  objects: readonly K8sObject[],
  from: Pod,
  to: Pod,
  port: number,
  protocol: 'TCP' | 'UDP',
): boolean {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy').map((o) => o.spec as PolicySpec);
  return (
    directionAllows(policies, from, to, 'Egress', port, protocol) &&
    directionAllows(policies, to, from, 'Ingress', port, protocol)
  );
}
