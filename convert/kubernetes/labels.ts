// Labels of the objects: the app.kubernetes.io set that tools read, the selector that ties a
// workload to its pods and Services, one label per network the pod joins (what the
// NetworkPolicies select), and the service's own labels where Kubernetes takes them as
// labels (others become annotations: Compose label values may hold any text).

import type { Service } from '../../model/types.js';
import { warnService, type ConvertContext } from './convert-context.js';
import { isLabelKey, isLabelValue } from './k8s-names.js';

export const MANAGED_BY = 'stack';
/** Label that marks a pod as joined to a network of the stack: `stack.network/<key>: "true"`. */
export const NETWORK_LABEL_PREFIX = 'stack.network/';

/** The labels a workload's pods are selected by. */
export function selectorLabels(ctx: ConvertContext, service: Pick<Service, 'name'>): Record<string, string> {
  return {
    'app.kubernetes.io/name': labelSafe(service.name),
    'app.kubernetes.io/part-of': labelSafe(ctx.stack.project),
  };
}

/** Labels of every object made for a service (or for the stack when none). */
export function objectLabels(ctx: ConvertContext, service?: Pick<Service, 'name'>): Record<string, string> {
  const base = service ? selectorLabels(ctx, service) : { 'app.kubernetes.io/part-of': labelSafe(ctx.stack.project) };
  return { ...base, 'app.kubernetes.io/managed-by': MANAGED_BY };
}

export function networkLabel(key: string): string | undefined {
  const label = `${NETWORK_LABEL_PREFIX}${key}`;
  return isLabelKey(label) ? label : undefined;
}

/** The service's `labels:` split into what may be a label and what must be an annotation. */
export function userLabels(
  ctx: ConvertContext,
  service: Service,
): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(service.labels)) {
    if (isLabelKey(k) && isLabelValue(v) && !k.startsWith('app.kubernetes.io/')) labels[k] = v;
    else if (isLabelKey(k)) annotations[k] = v;
    else
      warnService(
        ctx,
        service,
        ['labels', k],
        `label key "${k}" is not a Kubernetes label or annotation key; left out`,
      );
  }
  return { labels, annotations };
}

/** A project or service name as a label value (names are at most 63 of the allowed characters, but may start with '_'). */
function labelSafe(name: string): string {
  return isLabelValue(name) ? name : name.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '').slice(0, 63);
}
