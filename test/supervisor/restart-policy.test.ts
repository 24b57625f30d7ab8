// Restart policies and docker's backoff (100 ms doubling, capped at a minute, reset after
// 10 s of running), as pure functions.

import { describe, expect, it } from 'vitest';
import { Backoff, countedRestarts, noteRestart, restartDecision } from '../../supervisor/restart-policy.js';

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
    expect(restartDecision(policy, 1, 2, false)).toEqual({
      restart: false,
      reason: 'it was restarted 2 times, the most on-failure:2 allows',
    });
    expect(restartDecision(policy, 0, 0, false).restart).toBe(false);
    expect(restartDecision({ name: 'on-failure' }, 3, 1000, false)).toEqual({ restart: true });
  });
});

describe('deploy.restart_policy.window', () => {
  it('counts toward max_attempts only the restarts within the window', () => {
    const policy = { name: 'on-failure' as const, maxRetries: 2, windowMs: 60_000 };
    const now = 1_000_000;
    // Two restarts long ago and one a second ago: one counts, so it restarts again.
    const counted = countedRestarts(policy, [now - 300_000, now - 200_000, now - 1000], 3, now);
    expect(counted).toBe(1);
    expect(restartDecision(policy, 1, counted, false)).toEqual({ restart: true });
    // Two within the window: given up, and the reason names the window.
    const recent = countedRestarts(policy, [now - 30_000, now - 1000], 2, now);
    expect(restartDecision(policy, 1, recent, false)).toEqual({
      restart: false,
      reason: 'it was restarted 2 times within 60 s, the most on-failure:2 allows',
    });
    // Without a window every restart counts.
    expect(countedRestarts({ name: 'on-failure', maxRetries: 2 }, [now - 300_000], 5, now)).toBe(5);
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

describe('noteRestart', () => {
  it('keeps only the restarts a window still counts: a crash loop of 10 000 restarts keeps a bounded list', () => {
    const policy = { name: 'on-failure' as const, maxRetries: 1_000_000, windowMs: 60_000 };
    let times: number[] = [];
    for (let i = 0; i < 10_000; i++) times = noteRestart(policy, times, i * 1000);
    // One restart a second, a 60 s window: the last 60 (the one just made included).
    expect(times.length).toBe(60);
    expect(countedRestarts(policy, times, 10_000, 9_999 * 1000)).toBe(60);
  });

  it('keeps none without a window (the total count is all that counts then)', () => {
    let times: number[] = [];
    for (let i = 0; i < 1000; i++) times = noteRestart({ name: 'always' }, times, i);
    expect(times).toEqual([]);
  });
});
