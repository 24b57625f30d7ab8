// A PersistentVolumeClaim per named volume of the stack. Compose gives no size, so the
// claim asks for the size the user chose (--volume-size). A volume that more than one pod
// mounts (several services, or replicas, share it in the stack) needs ReadWriteMany,
// which only some storage classes offer: said in a warning.

import { volumeClaimName, warnTop, type ConvertContext } from './convert-context.js';
import type { K8sObject } from './convert-types.js';
import { objectLabels } from './labels.js';

export function volumeClaims(ctx: ConvertContext): K8sObject[] {
  return ctx.stack.volumes
    .filter((v) => !v.external)
    .map((v) => {
      const pods = ctx.stack.services
        .filter((s) => s.volumes.some((m) => m.type === 'volume' && m.source === v.key))
        .reduce((n, s) => n + s.replicas, 0);
      if (pods > 1)
        warnTop(
          ctx,
          ['volumes', v.key],
          `${pods} pods share the volume ${v.key}: its claim is ReadWriteMany, which the cluster's storage class must offer`,
        );
      if (v.driver !== 'local' || Object.keys(v.driverOpts).length)
        warnTop(
          ctx,
          ['volumes', v.key],
          `the volume driver and its options are not carried over: the claim uses the cluster's default storage class`,
        );
      return {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: volumeClaimName(v.key), labels: objectLabels(ctx) },
        spec: {
          accessModes: [pods > 1 ? 'ReadWriteMany' : 'ReadWriteOnce'],
          resources: { requests: { storage: ctx.options.volumeSize } },
        },
      };
    });
}
