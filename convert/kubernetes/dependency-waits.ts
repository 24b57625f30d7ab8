// depends_on as init containers that wait, so a pod's own container starts when the stack
// would start it. `service_started` and `service_healthy` wait until the dependency's
// Service name resolves: its headless Service answers only ready pods, and a pod is ready
// when its readiness probe (the healthcheck) passes, or once started when it has none.
// `service_completed_successfully` waits, through the API, for the dependency's Job to
// complete (a ServiceAccount allowed to read Jobs, made once: job-waiter.ts).
// `required: false` dependencies are not waited for.

import type { Dependency, Service } from '../../model/types.js';
import { serviceByName, serviceObjectName, warnService, type ConvertContext } from './convert-context.js';
import { dnsLabel } from './k8s-names.js';
import { networkKeys, podNetworks } from './pod-networks.js';
import { runsToCompletion } from './workload-kind.js';

/** Small images with what a wait needs: a resolver loop, and kubectl. */
export const WAIT_IMAGE = 'busybox:1.37';
export const KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.36.0';

function dnsWait(target: string): Record<string, unknown> {
  return {
    name: dnsLabel(`wait-for-${target}`),
    image: WAIT_IMAGE,
    command: ['sh', '-c', `until nslookup ${target} >/dev/null 2>&1; do sleep 1; done`],
  };
}

function jobWaits(target: string): Record<string, unknown>[] {
  const wait = (what: string, condition: string) => ({
    name: dnsLabel(`wait-${what}-${target}`),
    image: KUBECTL_IMAGE,
    command: ['kubectl', 'wait', `--for=${condition}`, `job/${target}`, '--timeout=-1s'],
  });
  return [wait('created', 'create'), wait('done', 'condition=complete')];
}

/** A pod whose every network is internal: its egress reaches only its networks' members and DNS. */
function onlyInternal(ctx: ConvertContext, service: Service): boolean {
  const keys = networkKeys(ctx.stack, service);
  return keys.length > 0 && keys.every((k) => ctx.stack.networks.find((n) => n.key === k)?.internal);
}

export interface Waits {
  initContainers: Record<string, unknown>[];
  /** Whether the pod reads Jobs through the API (it needs the job waiter's ServiceAccount). */
  readsJobs: boolean;
}

function waitFor(ctx: ConvertContext, service: Service, dep: Dependency, out: Waits): void {
  const target = serviceByName(ctx, dep.service);
  if (!target) return;
  const name = serviceObjectName(target);
  if (dep.condition === 'service_completed_successfully' && runsToCompletion(ctx.stack, target)) {
    out.initContainers.push(...jobWaits(name));
    out.readsJobs = true;
    if (onlyInternal(ctx, service))
      warnService(
        ctx,
        service,
        ['depends_on', dep.service],
        `${service.name} is on internal networks only, so its NetworkPolicies keep its wait for ${dep.service} from the API server`,
      );
    return;
  }
  if (podNetworks(ctx.stack, target).kind !== 'networks') {
    warnService(
      ctx,
      service,
      ['depends_on', dep.service],
      `${dep.service} has no Service to resolve (network_mode), so nothing waits for it`,
    );
    return;
  }
  out.initContainers.push(dnsWait(name));
}

export function dependencyWaits(ctx: ConvertContext, service: Service): Waits {
  const out: Waits = { initContainers: [], readsJobs: false };
  for (const dep of service.dependsOn) if (dep.required) waitFor(ctx, service, dep, out);
  return out;
}
