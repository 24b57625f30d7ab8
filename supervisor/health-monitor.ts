// Runs one container's healthcheck over time: a probe every interval (start_interval while
// starting inside start_period), each cut off at its timeout, feeding the state machine
// of health-state.ts. The probe (an exec in the container) and the clock are injected, so
// tests drive it with a fake of each.

import type { ContainerHealth, HealthProbe, HealthStatus } from '../model/records.js';
import type { Healthcheck } from '../model/types.js';
import type { Clock } from './clock.js';
import { healthTiming, type HealthTiming } from '../model/healthcheck.js';
import { applyProbe, inStartPeriod, initialHealth, MAX_OUTPUT_BYTES, nextProbeDelay } from './health-state.js';

/** Runs `argv` in the container; aborted through `signal` when the probe times out. */
export type Probe = (argv: string[], signal: AbortSignal) => Promise<{ exitCode: number; output: string }>;

export interface HealthMonitorOptions {
  healthcheck: Healthcheck;
  /** The probe command (see probeArgv). */
  argv: string[];
  clock: Clock;
  /** When the container's process started (ms since the epoch). */
  startedAt: number;
  probe: Probe;
  /** After every probe, with the new health and the status before it. */
  onProbe: (health: ContainerHealth, previous: HealthStatus) => void | Promise<void>;
}

export class HealthMonitor {
  private health: ContainerHealth = initialHealth();
  private readonly timing: HealthTiming;
  private cancelTimer: (() => void) | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: HealthMonitorOptions) {
    this.timing = healthTiming(opts.healthcheck);
  }

  get current(): ContainerHealth {
    return this.health;
  }

  start(): void {
    this.schedule();
  }

  /** No probe starts after this; waits for one in flight to settle. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    const startPeriod = inStartPeriod(this.timing, this.opts.startedAt, this.opts.clock.now());
    this.cancelTimer = this.opts.clock.after(nextProbeDelay(this.health, this.timing, startPeriod), () => {
      this.running = this.probeOnce().finally(() => {
        this.running = undefined;
        this.schedule();
      });
    });
  }

  private async probeOnce(): Promise<void> {
    const { clock } = this.opts;
    const start = clock.now();
    const abort = new AbortController();
    let cancelTimeout = () => {};
    const timedOut = new Promise<{ exitCode: number; output: string }>((resolve) => {
      cancelTimeout = clock.after(this.timing.timeoutMs, () => {
        abort.abort();
        resolve({ exitCode: -1, output: `Health check exceeded timeout (${this.timing.timeoutMs / 1000}s)` });
      });
    });
    const ran = this.opts.probe(this.opts.argv, abort.signal).catch((err: unknown) => ({
      exitCode: -1,
      output: `health check could not run: ${err instanceof Error ? err.message : String(err)}`,
    }));
    const result = await Promise.race([ran, timedOut]);
    cancelTimeout();
    if (this.stopped) return;
    const end = clock.now();
    const probe: HealthProbe = {
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      exitCode: result.exitCode,
      output: Buffer.from(result.output).subarray(0, MAX_OUTPUT_BYTES).toString('utf8'),
    };
    const previous = this.health.status;
    this.health = applyProbe(this.health, probe, this.timing, inStartPeriod(this.timing, this.opts.startedAt, end));
    await this.opts.onProbe(this.health, previous);
  }
}
