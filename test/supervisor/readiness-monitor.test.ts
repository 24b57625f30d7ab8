// Readiness without a healthcheck: ready once every port accepts a TCP connection on the
// container's address, after a grace with no port, not ready (naming the ports) when they
// stay closed. Real connections on this host's loopback stand for the container's address.

import net from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Readiness } from '../../model/records.js';
import { systemClock } from '../../supervisor/clock.js';
import { READY_GRACE_MS, ReadinessMonitor } from '../../supervisor/readiness-monitor.js';
import { refusingPort } from '../support/fake-dns-upstream.js';

function verdictOf(opts: { address?: string; ports: number[]; giveUpAfterMs?: number }): {
  verdict: Promise<Readiness>;
  monitor: ReadinessMonitor;
} {
  let settle!: (r: Readiness) => void;
  const verdict = new Promise<Readiness>((r) => (settle = r));
  const monitor = new ReadinessMonitor({
    address: opts.address,
    ports: opts.ports,
    clock: systemClock,
    startedAt: Date.now(),
    onVerdict: settle,
    ...(opts.giveUpAfterMs ? { giveUpAfterMs: opts.giveUpAfterMs } : {}),
  });
  monitor.start();
  return { verdict, monitor };
}

describe('ReadinessMonitor', () => {
  it('is not ready while its port refuses connections, and ready once something listens there', async () => {
    const port = await refusingPort();
    let settled = false;
    const { verdict } = verdictOf({ address: '127.0.0.1', ports: [port] });
    void verdict.then(() => (settled = true));
    // Several tries find the port closed (100 ms apart).
    await new Promise((r) => setTimeout(r, 350));
    expect(settled).toBe(false);
    const server = net.createServer((c) => c.destroy());
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    expect(await verdict).toEqual({ ready: true });
    server.close();
  });

  it('without ports, is ready after the grace', async () => {
    const started = Date.now();
    expect(await verdictOf({ address: '127.0.0.1', ports: [] }).verdict).toEqual({ ready: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(READY_GRACE_MS - 5);
  });

  it('names the ports that stayed closed when it gives up', async () => {
    const port = await refusingPort();
    expect(await verdictOf({ address: '127.0.0.1', ports: [port], giveUpAfterMs: 300 }).verdict).toEqual({
      ready: false,
      closedPorts: [port],
    });
  });

  it('gives no verdict once stopped', async () => {
    const { verdict, monitor } = verdictOf({ address: '127.0.0.1', ports: [] });
    await monitor.stop();
    const outcome = await Promise.race([
      verdict,
      new Promise((r) => setTimeout(() => r('none'), READY_GRACE_MS + 200)),
    ]);
    expect(outcome).toBe('none');
  });
});
