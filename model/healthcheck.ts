// What a service's healthcheck means in practice: the command a probe runs and the timing
// with docker's defaults filled in. Shared by the planner (how long a depends_on
// condition may take) and the supervisor (which runs the probes).

import type { Healthcheck } from './types.js';

/** Docker's defaults for what neither the file nor the image sets (and for a 0 here). */
export const HEALTHCHECK_DEFAULTS = {
  intervalMs: 30_000,
  timeoutMs: 30_000,
  retries: 3,
  startPeriodMs: 0,
  startIntervalMs: 5_000,
} as const;

export interface HealthTiming {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startIntervalMs: number;
}

export function healthTiming(hc: Healthcheck): HealthTiming {
  return {
    intervalMs: hc.intervalMs > 0 ? hc.intervalMs : HEALTHCHECK_DEFAULTS.intervalMs,
    timeoutMs: hc.timeoutMs > 0 ? hc.timeoutMs : HEALTHCHECK_DEFAULTS.timeoutMs,
    retries: hc.retries > 0 ? hc.retries : HEALTHCHECK_DEFAULTS.retries,
    startPeriodMs: Math.max(0, hc.startPeriodMs),
    startIntervalMs: hc.startIntervalMs > 0 ? hc.startIntervalMs : HEALTHCHECK_DEFAULTS.startIntervalMs,
  };
}

/**
 * The command a healthcheck runs: `CMD args…` as is, `CMD-SHELL cmd` through `/bin/sh -c`;
 * undefined when there is nothing to run (disabled, `NONE`, empty). `hc` is the container's
 * healthcheck, the image's HEALTHCHECK already merged in (effective-healthcheck.ts).
 */
export function probeArgv(hc: Healthcheck | undefined): string[] | undefined {
  if (!hc || hc.disable || hc.test.length === 0) return undefined;
  const [kind, ...rest] = hc.test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

/**
 * The longest a healthy container can take to be reported healthy or unhealthy: the
 * start period, then `retries` failing probes with their timeouts, plus one probe of slack.
 * Past this, something is wrong with the checking itself.
 */
export function healthVerdictWithinMs(hc: Healthcheck): number {
  const t = healthTiming(hc);
  return t.startPeriodMs + (Math.max(t.intervalMs, t.startIntervalMs) + t.timeoutMs) * (t.retries + 1);
}
