// The time limit of a wait goes with the wait: a pending timer holds what its promise's
// reactions reach (in the supervisor, a spawned container's child process and pipes).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { raceTimeout } from '../../executor/host/linux/race-timeout.js';

describe('raceTimeout', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives the work its value and leaves no timer behind', async () => {
    vi.useFakeTimers();
    expect(await raceTimeout(Promise.resolve('ready'), 30_000, 'timeout')).toBe('ready');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves no timer behind when the work fails', async () => {
    vi.useFakeTimers();
    await expect(raceTimeout(Promise.reject(new Error('init stage died')), 30_000, 'timeout')).rejects.toThrow(
      'init stage died',
    );
    expect(vi.getTimerCount()).toBe(0);
  });

  it('gives `late` when the work takes longer than the limit', async () => {
    vi.useFakeTimers();
    const never = new Promise<string>(() => {});
    const raced = raceTimeout(never, 30_000, 'timeout');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await raced).toBe('timeout');
    expect(vi.getTimerCount()).toBe(0);
  });
});
