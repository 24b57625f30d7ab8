// What a service's healthcheck means in practice: the command a probe runs and the timing
// with docker's defaults filled in. Shared by the planner (how long a depends_on
// condition may take) and the supervisor (which runs the probes).

import type { Healthcheck } from './types.js';

/** Docker's defaults when a value is 0 (unset). */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_START_INTERVAL_MS = 5_000;

export interface HealthTiming {
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startIntervalMs: number;
}

export function healthTiming(hc: Healthcheck): HealthTiming {
  return {
    intervalMs: hc.intervalMs > 0 ? hc.intervalMs : DEFAULT_INTERVAL_MS,
    timeoutMs: hc.timeoutMs > 0 ? hc.timeoutMs : DEFAULT_TIMEOUT_MS,
    retries: hc.retries > 0 ? hc.retries : DEFAULT_RETRIES,
    startPeriodMs: Math.max(0, hc.startPeriodMs),
    startIntervalMs: hc.startIntervalMs > 0 ? hc.startIntervalMs : DEFAULT_START_INTERVAL_MS,
  };
}

/**
 * The command a healthcheck runs: `CMD args…` as is, `CMD-SHELL cmd` through `/bin/sh -c`;
 * undefined when there is nothing to run (disabled, `NONE`, empty). Only healthchecks from
 * the stack file count: the image's HEALTHCHECK is not in ImageInfo yet.
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
