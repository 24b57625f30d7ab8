// What "ready" means for a container without a healthcheck (docker has no answer; its
// `--wait` takes "running"): its TCP ports (published and `expose`d: spec.readyPorts)
// accept a connection from the host on its address, or, with no port to try, it has kept
// running for a short grace. A published port switches to a replacement, and DNS answers
// it, only then: a server that is still starting refuses connections. Connects from the
// host's namespace to the container's own address, so they stay on the stack's bridge.

import net from 'node:net';
import type { Readiness } from '../model/records.js';
import type { Clock } from './clock.js';

/** A container without ports to try is ready after running this long. */
export const READY_GRACE_MS = 500;
/** How often closed ports are tried again. */
const PROBE_INTERVAL_MS = 100;
/** One connection attempt; a SYN that is dropped rather than refused is cut off here. */
const CONNECT_TIMEOUT_MS = 1000;
/** Ports still closed this long after the start: not ready, and it is said which ones. */
export const READY_PORTS_WITHIN_MS = 60_000;

export interface ReadinessMonitorOptions {
  /** The container's address; undefined: no address of its own to try (grace only). */
  address: string | undefined;
  ports: readonly number[];
  clock: Clock;
  /** When its process started (ms since the epoch). */
  startedAt: number;
  /** Called once, with the verdict. */
  onVerdict: (readiness: Readiness) => void | Promise<void>;
  /** Tests shorten it. */
  giveUpAfterMs?: number;
}

/** Whether a TCP connection to `address:port` is accepted (then closed at once). */
export function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect({ host: address, port, timeout: CONNECT_TIMEOUT_MS });
    const done = (open: boolean) => {
      conn.destroy();
      resolve(open);
    };
    conn.once('connect', () => done(true));
    conn.once('error', () => done(false));
    conn.once('timeout', () => done(false));
  });
}

export class ReadinessMonitor {
  private cancelTimer: (() => void) | undefined;
  private stopped = false;
  private running: Promise<void> | undefined;
  private closed: number[];

  constructor(private readonly opts: ReadinessMonitorOptions) {
    this.closed = opts.address ? [...new Set(opts.ports)] : [];
  }

  start(): void {
    if (this.closed.length === 0) {
      const wait = Math.max(0, this.opts.startedAt + READY_GRACE_MS - this.opts.clock.now());
      this.cancelTimer = this.opts.clock.after(wait, () => void this.settle({ ready: true }));
      return;
    }
    this.schedule(0);
  }

  /** Nothing is tried after this; waits for a try in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.cancelTimer = this.opts.clock.after(delayMs, () => {
      this.running = this.tryPorts();
    });
  }

  private async tryPorts(): Promise<void> {
    const address = this.opts.address!;
    const open = await Promise.all(this.closed.map((port) => accepts(address, port)));
    this.closed = this.closed.filter((_, i) => !open[i]);
    if (this.closed.length === 0) return this.settle({ ready: true });
    if (this.opts.clock.now() - this.opts.startedAt >= (this.opts.giveUpAfterMs ?? READY_PORTS_WITHIN_MS))
      return this.settle({ ready: false, closedPorts: this.closed });
    this.schedule(PROBE_INTERVAL_MS);
  }

  private async settle(readiness: Readiness): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.opts.onVerdict(readiness);
  }
}
