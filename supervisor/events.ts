// The stack's lifecycle event stream: what happened to which container and when (create,
// start, die, health_status, restart, stop, destroy), as `stack events` shows it.

import type { HealthStatus } from '../model/records.js';

export type LifecycleEventType = 'create' | 'start' | 'die' | 'health_status' | 'restart' | 'stop' | 'destroy';

export interface LifecycleEvent {
  /** ISO time. */
  time: string;
  type: LifecycleEventType;
  service: string;
  container: string;
  /** die: the exit code (-1 unknown: an adopted container). */
  exitCode?: number;
  /** health_status: the new status. */
  health?: HealthStatus;
  /** restart: the restart number and the backoff before it. */
  restartCount?: number;
  delayMs?: number;
  /** Extra words: why a restart was not made, the last health check, … */
  detail?: string;
}

export class EventBus {
  private readonly listeners = new Set<(e: LifecycleEvent) => void>();

  subscribe(listener: (e: LifecycleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(e: Omit<LifecycleEvent, 'time'>, now = new Date()): void {
    const event = { time: now.toISOString(), ...e };
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // a subscriber's failure (a closed socket) is not the stack's
      }
    }
  }
}

/** One line of `stack events` without --format json. */
export function eventLine(e: LifecycleEvent): string {
  const extra = [
    e.exitCode !== undefined ? `exitCode=${e.exitCode}` : '',
    e.health ? `health=${e.health}` : '',
    e.restartCount !== undefined ? `restartCount=${e.restartCount}` : '',
    e.delayMs !== undefined ? `delay=${e.delayMs}ms` : '',
    e.detail ? `(${e.detail})` : '',
  ].filter(Boolean);
  return `${e.time} container ${e.type} ${e.container} service=${e.service}${extra.length ? ' ' + extra.join(' ') : ''}`;
}
