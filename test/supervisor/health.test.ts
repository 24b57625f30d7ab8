// The healthcheck state machine and its monitor, driven by a fake clock and a fake probe:
// no real time passes.

import { describe, expect, it } from 'vitest';
import type { ContainerHealth, HealthStatus } from '../../model/records.js';
import type { Healthcheck } from '../../model/types.js';
import { HealthMonitor, type Probe } from '../../supervisor/health-monitor.js';
import { probeArgv } from '../../model/healthcheck.js';
import { lastProbeText } from '../../model/conditions.js';
import { FakeClock } from '../support/fake-clock.js';

const check = (over: Partial<Healthcheck> = {}): Healthcheck => ({
  test: ['CMD', 'true'],
  intervalMs: 1000,
  timeoutMs: 500,
  retries: 3,
  startPeriodMs: 0,
  startIntervalMs: 100,
  disable: false,
  ...over,
});

/** A probe that answers from a script of exit codes (the last one repeats); `hang` never answers. */
function scripted(codes: (number | 'hang')[]): Probe & { calls: number[] } {
  const calls: number[] = [];
  const probe = ((_argv: string[], signal: AbortSignal) => {
    const code = codes[Math.min(calls.length, codes.length - 1)]!;
    calls.push(Date.now());
    if (code === 'hang')
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('killed'))));
    return Promise.resolve({ exitCode: code, output: code === 0 ? 'ok\n' : 'connection refused\n' });
  }) as Probe & { calls: number[] };
  probe.calls = calls;
  return probe;
}

function monitor(hc: Healthcheck, probe: Probe, clock: FakeClock) {
  const transitions: { at: number; from: HealthStatus; to: HealthStatus }[] = [];
  const states: ContainerHealth[] = [];
  const m = new HealthMonitor({
    healthcheck: hc,
    argv: probeArgv(hc)!,
    clock,
    startedAt: clock.now(),
    probe,
    onProbe: (health, previous) => {
      states.push(health);
      if (health.status !== previous) transitions.push({ at: clock.now() - start, from: previous, to: health.status });
    },
  });
  const start = clock.now();
  m.start();
  return { m, transitions, states };
}

describe('probeArgv', () => {
  it('runs CMD as is and CMD-SHELL through /bin/sh -c; NONE and disable run nothing', () => {
    expect(probeArgv(check({ test: ['CMD', 'wget', '-q', 'http://localhost/'] }))).toEqual([
      'wget',
      '-q',
      'http://localhost/',
    ]);
    expect(probeArgv(check({ test: ['CMD-SHELL', 'test -f /ready'] }))).toEqual(['/bin/sh', '-c', 'test -f /ready']);
    expect(probeArgv(check({ test: ['NONE'] }))).toBeUndefined();
    expect(probeArgv(check({ disable: true }))).toBeUndefined();
    expect(probeArgv(undefined)).toBeUndefined();
  });
});

describe('HealthMonitor', () => {
  it('is starting until the first passing probe one interval after start, then healthy', async () => {
    const clock = new FakeClock();
    const { m, transitions } = monitor(check(), scripted([0]), clock);
    expect(m.current.status).toBe('starting');
    await clock.advance(999);
    expect(m.current.status).toBe('starting');
    await clock.advance(1);
    expect(transitions).toEqual([{ at: 1000, from: 'starting', to: 'healthy' }]);
    await m.stop();
  });

  it('becomes unhealthy after `retries` failures in a row, and healthy again after one pass', async () => {
    const clock = new FakeClock();
    const { m, transitions } = monitor(check({ retries: 3 }), scripted([1, 1, 1, 0]), clock);
    await clock.advance(2000);
    expect(m.current).toMatchObject({ status: 'starting', failingStreak: 2 });
    await clock.advance(1000);
    expect(m.current).toMatchObject({ status: 'unhealthy', failingStreak: 3 });
    expect(lastProbeText(m.current)).toBe('exit 1: connection refused');
    await clock.advance(1000);
    expect(m.current).toMatchObject({ status: 'healthy', failingStreak: 0 });
    expect(transitions).toEqual([
      { at: 3000, from: 'starting', to: 'unhealthy' },
      { at: 4000, from: 'unhealthy', to: 'healthy' },
    ]);
    await m.stop();
  });

  it('does not count failures inside start_period, probing at start_interval meanwhile', async () => {
    const clock = new FakeClock();
    const probe = scripted([1]);
    const { m } = monitor(check({ retries: 1, startPeriodMs: 1000, startIntervalMs: 100 }), probe, clock);
    await clock.advance(950);
    expect(probe.calls.length).toBe(9);
    expect(m.current).toMatchObject({ status: 'starting', failingStreak: 0 });
    expect(m.current.log.length).toBe(5);
    // The first probe after the start period counts: retries 1 → unhealthy at once.
    await clock.advance(50);
    expect(m.current.status).toBe('unhealthy');
    await m.stop();
  });

  it('a pass inside start_period makes it healthy at once', async () => {
    const clock = new FakeClock();
    const { m, transitions } = monitor(
      check({ startPeriodMs: 10_000, startIntervalMs: 200 }),
      scripted([1, 1, 0]),
      clock,
    );
    await clock.advance(600);
    expect(transitions).toEqual([{ at: 600, from: 'starting', to: 'healthy' }]);
    await m.stop();
  });

  it('counts a probe that exceeds its timeout as a failure and aborts it', async () => {
    const clock = new FakeClock();
    const { m, states } = monitor(check({ retries: 1, timeoutMs: 300 }), scripted(['hang']), clock);
    await clock.advance(1300);
    expect(m.current.status).toBe('unhealthy');
    expect(states[0]!.log[0]).toMatchObject({ exitCode: -1, output: 'Health check exceeded timeout (0.3s)' });
    // The next probe starts an interval after the previous one ended (2300) and times out at 2600.
    await clock.advance(1299);
    expect(states.length).toBe(1);
    await clock.advance(1);
    expect(states.length).toBe(2);
    await m.stop();
  });

  it('runs no probe after stop', async () => {
    const clock = new FakeClock();
    const probe = scripted([0]);
    const { m } = monitor(check(), probe, clock);
    await clock.advance(1000);
    await m.stop();
    await clock.advance(10_000);
    expect(probe.calls.length).toBe(1);
  });
});
