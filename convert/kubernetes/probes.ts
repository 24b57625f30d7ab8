// A healthcheck as probes. The same test becomes the readiness probe (a pod that is not
// healthy gets no traffic and its dependents wait, as `service_healthy` waits) and the
// liveness probe (Kubernetes restarts an unhealthy container, which docker only marks);
// `start_period` becomes a startup probe, during which failures do not count, as in docker.

import type { Service } from '../../model/types.js';
import { warnService, type ConvertContext } from './convert-context.js';

/** docker's defaults for fields the file leaves out. */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_START_INTERVAL_MS = 5_000;

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export interface Probes {
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  startupProbe?: Record<string, unknown>;
}

function execOf(test: string[]): string[] | undefined {
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  return undefined;
}

export function probesOf(ctx: ConvertContext, service: Service): Probes {
  const hc = service.healthcheck;
  if (!hc || hc.disable) return {};
  const command = execOf(hc.test);
  if (!command) {
    warnService(
      ctx,
      service,
      ['healthcheck'],
      "the healthcheck gives no test, so it runs the image's HEALTHCHECK, which Kubernetes does not read: no probe",
    );
    return {};
  }
  const common = { exec: { command }, timeoutSeconds: seconds(hc.timeoutMs ?? DEFAULT_TIMEOUT_MS) };
  const steady = {
    ...common,
    periodSeconds: seconds(hc.intervalMs ?? DEFAULT_INTERVAL_MS),
    failureThreshold: hc.retries ?? DEFAULT_RETRIES,
  };
  const probes: Probes = { readinessProbe: steady, livenessProbe: steady };
  if (hc.startPeriodMs) {
    const every = hc.startIntervalMs ?? DEFAULT_START_INTERVAL_MS;
    probes.startupProbe = {
      ...common,
      periodSeconds: seconds(every),
      failureThreshold: Math.max(1, Math.ceil(hc.startPeriodMs / every)),
    };
  }
  return probes;
}
