// Restart policies as docker applies them: whether an exited container starts again, and
// after how long. Pure: the supervisor's lifecycle code asks, then schedules.

import type { RestartPolicy } from '../model/types.js';

/** Docker's backoff: 100 ms, doubling per restart, at most one minute. */
export const BACKOFF_FIRST_MS = 100;
export const BACKOFF_MAX_MS = 60_000;
/** A container that ran this long before exiting starts the backoff over. */
export const BACKOFF_RESET_AFTER_MS = 10_000;

export type RestartDecision = { restart: true } | { restart: false; reason: string };

/**
 * Whether a container that exited with `exitCode` restarts under `policy`, after
 * `restartCount` restarts so far. A container stopped on purpose (stop, down, recreate)
 * never restarts, whatever its policy.
 */
export function restartDecision(
  policy: RestartPolicy,
  exitCode: number,
  restartCount: number,
  stoppedOnPurpose: boolean,
): RestartDecision {
  if (stoppedOnPurpose) return { restart: false, reason: 'it was stopped' };
  switch (policy.name) {
    case 'no':
      return { restart: false, reason: 'restart policy is "no"' };
    case 'always':
    case 'unless-stopped':
      return { restart: true };
    case 'on-failure':
      if (exitCode === 0) return { restart: false, reason: 'it exited with 0 and the restart policy is on-failure' };
      if (policy.maxRetries !== undefined && restartCount >= policy.maxRetries) {
        const within = policy.windowMs ? ` within ${policy.windowMs / 1000} s` : '';
        return {
          restart: false,
          reason: `it was restarted ${restartCount} time${restartCount === 1 ? '' : 's'}${within}, the most on-failure:${policy.maxRetries} allows`,
        };
      }
      return { restart: true };
  }
}

/**
 * The restarts max_attempts counts: all of them, or with deploy.restart_policy.window only
 * those less than that long ago (swarm's rule: a container that fails now and then, with
 * long healthy runs between, is not given up on).
 */
export function countedRestarts(policy: RestartPolicy, restartTimes: number[], total: number, now: number): number {
  if (!policy.windowMs) return total;
  return restartTimes.filter((t) => now - t < policy.windowMs!).length;
}

/**
 * The restart times to keep after one more at `now`: only those countedRestarts can still
 * count (none without a window), so a container that crash-loops for weeks under
 * `restart: always` does not grow the supervisor's memory by one entry per restart.
 */
export function noteRestart(policy: RestartPolicy, restartTimes: number[], now: number): number[] {
  if (!policy.windowMs) return [];
  return [...restartTimes.filter((t) => now - t < policy.windowMs!), now];
}

/**
 * The delay before each restart of one container: the first step (100 ms, or
 * deploy.restart_policy.delay), doubled after every restart up to one minute, and back to
 * the first step once the container had run for 10 s.
 */
export class Backoff {
  private current = 0;

  constructor(
    private readonly firstMs = BACKOFF_FIRST_MS,
    private readonly maxMs = BACKOFF_MAX_MS,
    private readonly resetAfterMs = BACKOFF_RESET_AFTER_MS,
  ) {}

  /** The delay before restarting a container that ran for `ranMs` before it exited. */
  next(ranMs: number): number {
    if (ranMs >= this.resetAfterMs) this.current = 0;
    this.current = this.current === 0 ? this.firstMs : Math.min(this.current * 2, this.maxMs);
    return Math.min(this.current, this.maxMs);
  }
}
