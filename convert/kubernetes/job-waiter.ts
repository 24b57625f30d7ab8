// The ServiceAccount, Role and RoleBinding that let a pod's init container wait for a Job
// (`kubectl wait`): read-only access to the Jobs of its namespace, nothing else. Made once
// per stack, only when some service waits for a one-shot.

import type { ConvertContext } from './convert-context.js';
import type { K8sObject } from './convert-types.js';
import { dnsLabel } from './k8s-names.js';
import { objectLabels } from './labels.js';

export const jobWaiterName = (ctx: ConvertContext): string => dnsLabel(`${ctx.stack.project}-job-waiter`);

export function jobWaiterObjects(ctx: ConvertContext): K8sObject[] {
  const name = jobWaiterName(ctx);
  const metadata = { name, labels: objectLabels(ctx) };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata,
      rules: [{ apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name },
      subjects: [{ kind: 'ServiceAccount', name }],
    },
  ];
}
