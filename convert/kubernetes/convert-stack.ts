// `stack convert --format kubernetes`: the loaded Stack as Kubernetes objects, and what
// could not carry over. Pure; the order is stable (kind by kind, then by name), so the
// output of an unchanged file is byte for byte the same.

import type { Stack } from '../../model/types.js';
import { carryOverWarnings } from './carry-over.js';
import { configObjects } from './config-objects.js';
import { makeContext } from './convert-context.js';
import type { ConvertOptions, Converted, K8sObject } from './convert-types.js';
import { jobWaiterObjects } from './job-waiter.js';
import { nameClashes } from './name-clashes.js';
import { networkPolicies } from './network-policies.js';
import { dnsServices, publishedService } from './services.js';
import { volumeClaims } from './volume-claims.js';
import { workloadOf } from './workload.js';

export const DEFAULT_OPTIONS: ConvertOptions = {
  publishAs: 'LoadBalancer',
  imageDigests: {},
  fileContents: {},
  volumeSize: '1Gi',
};

/** Objects a pod needs before it starts come first, as `kubectl apply -f` takes them in order. */
const KIND_ORDER = [
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'PersistentVolumeClaim',
  'NetworkPolicy',
  'Service',
  'Job',
  'StatefulSet',
  'Deployment',
];

export function convertToKubernetes(stack: Stack, options: Partial<ConvertOptions> = {}): Converted {
  const ctx = makeContext(stack, { ...DEFAULT_OPTIONS, ...options });
  const workloads = stack.services.map((s) => workloadOf(ctx, s));
  const podSpecs = workloads.map((w) => (w.spec as { template: { spec: Record<string, unknown> } }).template.spec);
  const needsWaiter = podSpecs.some((spec) => spec.serviceAccountName !== undefined);
  const objects: K8sObject[] = [
    ...(needsWaiter ? jobWaiterObjects(ctx) : []),
    ...configObjects(ctx),
    ...volumeClaims(ctx),
    ...networkPolicies(ctx),
    ...dnsServices(ctx),
    ...stack.services.flatMap((s) => publishedService(ctx, s) ?? []),
    ...workloads,
  ];
  carryOverWarnings(ctx);
  const rank = (o: K8sObject) => KIND_ORDER.indexOf(o.kind);
  objects.sort(
    (a, b) => rank(a) - rank(b) || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0),
  );
  return { objects, warnings: ctx.warnings, errors: nameClashes(ctx, objects) };
}
