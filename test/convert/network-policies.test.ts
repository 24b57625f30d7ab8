// The NetworkPolicies allow and deny the same pairs of services, on the same ports, as the
// stack's own isolation. The stack's side comes from the planner (which bridges each
// container is on, network_mode included, and the published ports of the NAT spec) read
// with the rules of executor/host/linux/nat-ruleset.ts: containers that share a bridge
// reach each other on any port; across bridges only published ports are reached, and not
// from a container on internal networks alone (its traffic is dropped leaving its bridge).
// The Kubernetes side evaluates the policies (policy-evaluator.ts) on the pods' labels.

import { describe, expect, it } from 'vitest';
import { convertToKubernetes } from '../../convert/kubernetes/convert-stack.js';
import type { K8sObject } from '../../convert/kubernetes/convert-types.js';
import { emptyObserved, type ImageInfo } from '../../model/observed.js';
import type { ContainerSpec, NatSpec } from '../../model/plan.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { load } from '../planner/helpers.js';
import { allowed, type Pod } from './policy-evaluator.js';

const IMAGE: ImageInfo = {
  ref: 'stack.local/busybox:latest',
  id: 'sha256:' + 'c'.repeat(64),
  layers: ['sha256:' + 'a'.repeat(64)],
  cmd: ['sh'],
  env: [],
};

interface StackSide {
  specs: ContainerSpec[];
  nat?: NatSpec;
}

function planned(text: string): StackSide {
  const stack = load(text);
  const plan = reconcile(stack, { ...emptyObserved(stack.project), images: [IMAGE], takenSubnets: [] });
  const specs = plan.operations.flatMap((op) => (op.kind === 'container.start' ? [op.container] : []));
  const nat = plan.operations.flatMap((op) => (op.kind === 'nat.apply' ? [op.nat] : []))[0];
  return { specs, ...(nat ? { nat } : {}) };
}

/** The bridges a container's traffic leaves from: its own, or those of the container whose namespace it joins. */
function bridges(side: StackSide, spec: ContainerSpec): string[] {
  const joined = spec.networkMode?.startsWith('container:')
    ? side.specs.find((s) => s.name === spec.networkMode!.slice('container:'.length))
    : undefined;
  return (joined ?? spec).endpoints.map((e) => e.bridge);
}

function stackAllows(side: StackSide, from: ContainerSpec, to: ContainerSpec, port: number, protocol: string): boolean {
  const mine = bridges(side, from);
  const theirs = bridges(side, to);
  if (mine.some((b) => theirs.includes(b))) return true;
  const published = side.nat?.ports.some(
    (r) => r.service === to.service && r.containerPort === port && r.protocol === protocol.toLowerCase(),
  );
  const internal = new Set(side.nat?.networks.filter((n) => n.internal).map((n) => n.bridge));
  const canLeave = mine.some((b) => !internal.has(b));
  return !!published && canLeave;
}

function podOf(objects: K8sObject[], service: string): Pod {
  const workload = objects.find(
    (o) => ['Deployment', 'StatefulSet', 'Job'].includes(o.kind) && o.metadata.name === service,
  )!;
  const template = (workload.spec as { template: { metadata: { labels: Record<string, string> } } }).template;
  return { labels: template.metadata.labels };
}

/** Every (from, to, port) with whether the stack and the policies allow it, where they differ. */
function differences(text: string): string[] {
  const side = planned(text);
  const { objects } = convertToKubernetes(load(text));
  const first = (service: string) => side.specs.find((s) => s.service === service)!;
  const services = [...new Set(side.specs.map((s) => s.service))].filter((s) => first(s).networkMode !== 'host');
  const out: string[] = [];
  for (const a of services)
    for (const b of services) {
      if (a === b) continue;
      const ports = [...(side.nat?.ports.filter((r) => r.service === b).map((r) => r.containerPort) ?? []), 80, 65000];
      for (const port of new Set(ports)) {
        const expected = stackAllows(side, first(a), first(b), port, 'TCP');
        const got = allowed(objects, podOf(objects, a), podOf(objects, b), port, 'TCP');
        if (expected !== got)
          out.push(`${a} -> ${b}:${port}: stack ${expected ? 'allows' : 'denies'}, policies ${got ? 'allow' : 'deny'}`);
      }
    }
  return out;
}

const svc = (name: string, more: string) =>
  `  ${name}:\n    image: stack.local/busybox:latest\n    command: httpd -f -p 80\n${more}`;

const TOPOLOGIES: Record<string, string> = {
  'one default network': `name: p\nservices:\n${svc('a', '')}${svc('b', '    ports: ["8080:80"]\n')}`,
  'separate networks, a bridge service and published ports': `name: p
services:
${svc('front', '    networks: [edge]\n    ports: ["8080:80", "9000:9000"]\n')}${svc('api', '    networks: [edge, core]\n')}${svc('db', '    networks: [core]\n    ports: ["5432:5432"]\n')}${svc('other', '    networks: [side]\n')}
networks:
  edge: {}
  core: {}
  side: {}
`,
  'internal networks': `name: p
services:
${svc('web', '    networks: [public, private]\n    ports: ["8080:80"]\n')}${svc('worker', '    networks: [private]\n')}${svc('hidden', '    networks: [private]\n    expose: ["8081"]\n')}${svc('outside', '    networks: [public]\n    ports: ["8082:80"]\n')}
networks:
  public: {}
  private:
    internal: true
`,
  'shared namespaces and no network': `name: p
services:
${svc('app', '    networks: [one]\n    ports: ["8080:80"]\n')}${svc('sidecar', '    network_mode: "service:app"\n')}${svc('lonely', '    network_mode: none\n')}${svc('peer', '    networks: [one]\n')}${svc('far', '    networks: [two]\n')}
networks:
  one: {}
  two: {}
`,
};

describe('NetworkPolicies against the stack isolation', () => {
  it.each(Object.entries(TOPOLOGIES))('%s: the same pairs are allowed and denied', (_name, text) => {
    expect(differences(text)).toEqual([]);
  });

  it('the comparison sees both answers (a stack where some pairs are denied and some allowed)', () => {
    const text = TOPOLOGIES['separate networks, a bridge service and published ports']!;
    const side = planned(text);
    const first = (s: string) => side.specs.find((c) => c.service === s)!;
    expect(stackAllows(side, first('front'), first('api'), 65000, 'TCP')).toBe(true);
    expect(stackAllows(side, first('front'), first('db'), 65000, 'TCP')).toBe(false);
    expect(stackAllows(side, first('front'), first('db'), 5432, 'TCP')).toBe(true);
  });
});
