// The healthcheck state machine, docker's rules: a container with a healthcheck starts
// `starting`; a passing probe makes it `healthy` and clears the failing streak; a failing
// one (non-zero exit or timeout) adds to the streak, and `retries` failures in a row make
// it `unhealthy`. Failures inside start_period are logged but not counted. Pure: the
// monitor (health-monitor.ts) runs the probes and the timers.

import type { ContainerHealth, HealthProbe } from '../model/records.js';
import type { HealthTiming } from '../model/healthcheck.js';

/** Probes kept in the record, and bytes of output kept per probe (docker's limits). */
const LOG_LENGTH = 5;
export const MAX_OUTPUT_BYTES = 4096;

export function initialHealth(): ContainerHealth {
  return { status: 'starting', failingStreak: 0, log: [] };
}

/** Whether `now` is still inside the start period of a container started at `startedAt`. */
export function inStartPeriod(timing: HealthTiming, startedAt: number, now: number): boolean {
  return now - startedAt < timing.startPeriodMs;
}

/** The health after `probe`, which ended `inStartPeriod` or not. */
export function applyProbe(
  health: ContainerHealth,
  probe: HealthProbe,
  timing: HealthTiming,
  startPeriod: boolean,
): ContainerHealth {
  const log = [...health.log, probe].slice(-LOG_LENGTH);
  if (probe.exitCode === 0) return { status: 'healthy', failingStreak: 0, log };
  if (startPeriod) return { ...health, log };
  const failingStreak = health.failingStreak + 1;
  return { status: failingStreak >= timing.retries ? 'unhealthy' : health.status, failingStreak, log };
}

/** How long to wait before the next probe: start_interval while starting inside the start period. */
export function nextProbeDelay(health: ContainerHealth, timing: HealthTiming, startPeriod: boolean): number {
  return health.status === 'starting' && startPeriod && timing.startPeriodMs > 0
    ? timing.startIntervalMs
    : timing.intervalMs;
}
