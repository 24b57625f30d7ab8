// After each request the supervisor collects its JS heap and trims the C heap
// (release-memory.ts); what that saves is measured by bench/supervisor-memory.mjs (RSS has
// no place in a test). Here: it collects when node exposes gc(), and every supervisor is
// started so that node does.

import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { SUPERVISOR_NODE_FLAGS } from '../../supervisor/launch.js';
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

describe('SUPERVISOR_NODE_FLAGS', () => {
  it('start a node that exposes gc()', () => {
    const r = spawnSync(process.execPath, [
      ...SUPERVISOR_NODE_FLAGS,
      '-e',
      'process.exit(typeof globalThis.gc === "function" ? 0 : 1)',
    ]);
    expect(r.stderr.toString()).toBe('');
    expect(r.status).toBe(0);
  });
});
