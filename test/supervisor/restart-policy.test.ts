// Restart policies and docker's backoff (100 ms doubling, capped at a minute, reset after
// 10 s of running), as pure functions.

import { describe, expect, it } from 'vitest';
import { Backoff, restartDecision } from '../../supervisor/restart-policy.js';

describe('restartDecision', () => {
  it('"no" never restarts', () => {
    expect(restartDecision({ name: 'no' }, 1, 0, false)).toEqual({ restart: false, reason: 'restart policy is "no"' });
  });

  it('always and unless-stopped restart whatever the exit code, unless stopped on purpose', () => {
    for (const name of ['always', 'unless-stopped'] as const) {
      expect(restartDecision({ name }, 0, 50, false)).toEqual({ restart: true });
      expect(restartDecision({ name }, 137, 0, false)).toEqual({ restart: true });
      expect(restartDecision({ name }, 137, 0, true)).toEqual({ restart: false, reason: 'it was stopped' });
    }
  });

  it('on-failure:2 restarts a failing container twice, then gives up; never after exit 0', () => {
    const policy = { name: 'on-failure' as const, maxRetries: 2 };
    expect(restartDecision(policy, 1, 0, false)).toEqual({ restart: true });
    expect(restartDecision(policy, 1, 1, false)).toEqual({ restart: true });
    expect(restartDecision(policy, 1, 2, false)).toEqual({ restart: false, reason: 'it was restarted 2 times, the most on-failure:2 allows' });
    expect(restartDecision(policy, 0, 0, false).restart).toBe(false);
    expect(restartDecision({ name: 'on-failure' }, 3, 1000, false)).toEqual({ restart: true });
  });
});

describe('Backoff', () => {
  it('starts at 100 ms, doubles, and stops growing at one minute', () => {
    const b = new Backoff();
    const delays = Array.from({ length: 12 }, () => b.next(50));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000]);
  });

  it('starts over once the container had run for 10 s', () => {
    const b = new Backoff();
    b.next(0);
    b.next(0);
    expect(b.next(0)).toBe(400);
    expect(b.next(9_999)).toBe(800);
    expect(b.next(10_000)).toBe(100);
    expect(b.next(10)).toBe(200);
  });

  it('takes its first step from deploy.restart_policy.delay', () => {
    const b = new Backoff(5000);
    expect([b.next(0), b.next(0), b.next(0), b.next(0), b.next(0)]).toEqual([5000, 10000, 20000, 40000, 60000]);
  });
});
