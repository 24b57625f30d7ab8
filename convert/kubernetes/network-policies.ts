// NetworkPolicies that allow exactly the traffic the stack's networks allow
// (executor/host/linux/nat-ruleset.ts): containers that share a network reach each other
// on any port; nothing crosses from one network to another, except to published ports,
// which anything may reach; an internal network has no way out. A pod is labelled with
// each network it joins (labels.ts); per network, one policy lets its members in from its
// members and (unless internal) out anywhere; per published service, one lets anyone in on
// the published container ports; a pod on no network gets a policy that lets nothing in
// or out. Policies add up, so a pod on an internal and an ordinary network goes out
// through the ordinary one, as in the stack.

import type { Network } from '../../model/types.js';
import { serviceObjectName, warnTop, type ConvertContext } from './convert-context.js';
import type { K8sObject } from './convert-types.js';
import { dnsLabel } from './k8s-names.js';
import { networkLabel, objectLabels, selectorLabels } from './labels.js';
import { podNetworks } from './pod-networks.js';
import { containerPorts } from './container.js';
import { publishes } from './services.js';

const POLICY = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy' } as const;

/** Cluster DNS, which every pod must reach to resolve service names (the stack's DNS is on each bridge). */
const CLUSTER_DNS = {
  to: [
    {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
      podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    },
  ],
  ports: [
    { protocol: 'UDP', port: 53 },
    { protocol: 'TCP', port: 53 },
  ],
};

function networkPolicy(ctx: ConvertContext, network: Network, label: string): K8sObject {
  const members = { matchLabels: { [label]: 'true' } };
  const egress = network.internal ? [{ to: [{ podSelector: members }] }, CLUSTER_DNS] : [{}];
  return {
    ...POLICY,
    metadata: { name: dnsLabel(`network-${network.key}`), labels: objectLabels(ctx) },
    spec: {
      podSelector: members,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: members }] }],
      egress,
    },
  };
}

export function networkPolicies(ctx: ConvertContext): K8sObject[] {
  const used = new Set(
    ctx.stack.services.flatMap((s) => {
      const n = podNetworks(ctx.stack, s);
      return n.kind === 'networks' ? n.keys : [];
    }),
  );
  const out: K8sObject[] = [];
  for (const network of ctx.stack.networks.filter((n) => used.has(n.key))) {
    const label = networkLabel(network.key);
    if (!label) {
      warnTop(
        ctx,
        ['networks', network.key],
        `the network name "${network.key}" cannot be a label key, so no NetworkPolicy isolates it`,
      );
      continue;
    }
    if (network.external)
      warnTop(
        ctx,
        ['networks', network.key],
        `${network.key} is external: its other members (another stack's containers) are not in these manifests, so only this stack's pods share it`,
      );
    out.push(networkPolicy(ctx, network, label));
  }
  for (const service of ctx.stack.services) {
    const nets = podNetworks(ctx.stack, service);
    const metadata = (suffix: string) => ({
      name: dnsLabel(`${serviceObjectName(service)}-${suffix}`),
      labels: objectLabels(ctx, service),
    });
    const podSelector = { matchLabels: selectorLabels(ctx, service) };
    if (nets.kind === 'none' || (nets.kind === 'networks' && nets.keys.length === 0))
      out.push({
        ...POLICY,
        metadata: metadata('isolated'),
        spec: { podSelector, policyTypes: ['Ingress', 'Egress'] },
      });
    if (publishes(ctx, service)) {
      const published = new Set(service.ports.map((p) => `${p.containerPort}/${p.protocol}`));
      const ports = containerPorts(service)
        .filter((p) => published.has(`${p.containerPort}/${p.protocol.toLowerCase()}`))
        .map((p) => ({ protocol: p.protocol, port: p.containerPort }));
      out.push({
        ...POLICY,
        metadata: metadata('published'),
        spec: { podSelector, policyTypes: ['Ingress'], ingress: [{ ports }] },
      });
    }
  }
  return out;
}
