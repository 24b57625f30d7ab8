// The healthcheck state machine, docker's rules: a container with a healthcheck starts
// `starting`; a passing probe makes it `healthy` and clears the failing streak; a failing
// one (non-zero exit or timeout) adds to the streak, and `retries` failures in a row make
// it `unhealthy`. Failures inside start_period are logged but not counted. Pure: the
// monitor (health-monitor.ts) runs the probes and the timers.

import type { ContainerHealth, HealthProbe } from '../executor/host.js';
import type { Healthcheck } from '../planner/types.js';

/** Docker's defaults when a value is 0 (unset). */
const DEFAULT_INTERVAL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_START_INTERVAL_MS = 5_000;
/** Probes kept in the record, and bytes of output kept per probe (docker's limits). */
const LOG_LENGTH = 5;
export const MAX_OUTPUT_BYTES = 4096;

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
 * undefined when there is nothing to run (disabled, `NONE`, empty).
 */
export function probeArgv(hc: Healthcheck | undefined): string[] | undefined {
  if (!hc || hc.disable || hc.test.length === 0) return undefined;
  const [kind, ...rest] = hc.test;
  if (kind === 'CMD' && rest.length > 0) return rest;
  if (kind === 'CMD-SHELL' && rest.length > 0) return ['/bin/sh', '-c', rest.join(' ')];
  return undefined;
}

export function initialHealth(): ContainerHealth {
  return { status: 'starting', failingStreak: 0, log: [] };
}

/** Whether `now` is still inside the start period of a container started at `startedAt`. */
export function inStartPeriod(timing: HealthTiming, startedAt: number, now: number): boolean {
  return now - startedAt < timing.startPeriodMs;
}

/** The health after `probe`, which ended `inStartPeriod` or not. */
export function applyProbe(health: ContainerHealth, probe: HealthProbe, timing: HealthTiming, startPeriod: boolean): ContainerHealth {
  const log = [...health.log, probe].slice(-LOG_LENGTH);
  if (probe.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  if (startPeriod) return { ...health, log };
  const failingStreak = health.failingStreak + 1;
  return { status: failingStreak >= timing.retries ? 'unhealthy' : health.status, failingStreak, log };
}

/** How long to wait before the next probe: start_interval while starting inside the start period. */
export function nextProbeDelay(health: ContainerHealth, timing: HealthTiming, startPeriod: boolean): number {
  return health.status === 'starting' && startPeriod && timing.startPeriodMs > 0 ? timing.startIntervalMs : timing.intervalMs;
}

/** The last probe in words, for messages: `exit 1: connection refused`. */
export function lastProbeText(health: ContainerHealth | undefined): string {
  const last = health?.log.at(-1);
  if (!last) return 'no check has run yet';
  const output = last.output.trim().split('\n').at(-1)?.slice(0, 200) ?? '';
  return `exit ${last.exitCode}${output ? `: ${output}` : ''}`;
}
