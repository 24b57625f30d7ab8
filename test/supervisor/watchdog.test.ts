// The count of supervisors that crashed soon after their start, handed from one to the next
// through the watchdog's environment: a crash loop ends after MAX_QUICK_CRASHES.

import { describe, expect, it } from 'vitest';
import { QUICK_CRASH_MS, quickCrashes } from '../../supervisor/watchdog.js';

const env = (started: number, crashes?: number) => ({
  STACK_SUPERVISOR_PREVIOUS_START_MS: String(started),
  ...(crashes === undefined ? {} : { STACK_SUPERVISOR_QUICK_CRASHES: String(crashes) }),
});

describe('quickCrashes', () => {
  it('is 0 for a supervisor no watchdog started', () => {
    expect(quickCrashes({}, 1_000_000)).toBe(0);
  });

  it('counts a predecessor that crashed soon after its start, on top of its own count', () => {
    expect(quickCrashes(env(1_000_000, 0), 1_000_000 + 200)).toBe(1);
    expect(quickCrashes(env(1_000_000, 3), 1_000_000 + QUICK_CRASH_MS - 1)).toBe(4);
  });

  it('starts over after a predecessor that ran long enough', () => {
    expect(quickCrashes(env(1_000_000, 4), 1_000_000 + QUICK_CRASH_MS)).toBe(0);
  });
});
