// deploy.resources (and mem_limit, cpus, mem_reservation) as the container's limits and
// requests. Without a reservation Kubernetes would request the limit; the stack reserves
// nothing, so no request is written then and the pod is scheduled on its limits alone.

import type { Service } from '../../model/types.js';
import { warnService, type ConvertContext } from './convert-context.js';

const millicores = (cpus: number) => `${Math.max(1, Math.round(cpus * 1000))}m`;

export function resourcesOf(ctx: ConvertContext, service: Service): Record<string, unknown> | undefined {
  const r = service.resources;
  const limits: Record<string, string> = {};
  const requests: Record<string, string> = {};
  if (r.cpus !== undefined && r.cpus > 0) limits.cpu = millicores(r.cpus);
  if (r.memoryBytes !== undefined) limits.memory = String(r.memoryBytes);
  if (r.memoryReservationBytes !== undefined) {
    const capped = r.memoryBytes !== undefined ? Math.min(r.memoryReservationBytes, r.memoryBytes) : undefined;
    requests.memory = String(capped ?? r.memoryReservationBytes);
  }
  if (r.pidsLimit !== undefined && r.pidsLimit > 0)
    warnService(
      ctx,
      service,
      ['pids_limit'],
      "a pids limit per container is the kubelet's setting (podPidsLimit), not the pod's",
    );
  const out: Record<string, unknown> = {};
  if (Object.keys(limits).length) out.limits = limits;
  if (Object.keys(requests).length) out.requests = requests;
  return Object.keys(out).length ? out : undefined;
}
