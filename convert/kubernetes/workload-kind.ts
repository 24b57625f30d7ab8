// Which workload a service becomes. A service another waits for with
// `service_completed_successfully` runs to completion: a Job. A service that writes to a
// named volume is a StatefulSet, so a rollout stops the old pod before the new one mounts
// the data (a Deployment starts the new one first, and a ReadWriteOnce claim on another
// node would hold it). Every other service is a Deployment.

import type { Service, Stack } from '../../model/types.js';
import { writtenVolumes } from './pod-volumes.js';

export type WorkloadKind = 'Job' | 'StatefulSet' | 'Deployment';

export function runsToCompletion(stack: Stack, service: Service): boolean {
  return stack.services.some((s) =>
    s.dependsOn.some((d) => d.service === service.name && d.condition === 'service_completed_successfully'),
  );
}

export function workloadKind(stack: Stack, service: Service): WorkloadKind {
  if (runsToCompletion(stack, service)) return 'Job';
  return writtenVolumes(service).length > 0 ? 'StatefulSet' : 'Deployment';
}
