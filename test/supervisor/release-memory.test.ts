// After each request the supervisor collects its JS heap and trims the C heap
// (release-memory.ts); what that saves is measured by bench/supervisor-memory.mjs (RSS has
// no place in a test). Here: it collects when node exposes gc(), and every supervisor is
// started so that it has gc() (v8-settings.ts; test/supervisor/v8-settings.test.ts).

import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseMemory } from '../../supervisor/release-memory.js';

const scope = globalThis as { gc?: () => void };

describe('releaseMemory', () => {
  const saved = scope.gc;
  afterEach(() => {
    if (saved === undefined) delete scope.gc;
    else scope.gc = saved;
  });

  it('runs a full garbage collection when node exposes gc(), then trims the C heap', () => {
    let collections = 0;
    scope.gc = () => void collections++;
    expect(releaseMemory()).toEqual({ collected: true, trimmed: true });
    expect(collections).toBe(1);
  });

  it('only trims in a node started without --expose-gc', () => {
    delete scope.gc;
    expect(releaseMemory()).toEqual({ collected: false, trimmed: true });
  });
});
