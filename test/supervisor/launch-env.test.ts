// The supervisor's environment carries glibc's arena limit (launch.ts: per-thread arenas
// kept freed memory and grew its RSS), unless whoever runs the CLI chose a value.

import { afterEach, describe, expect, it } from 'vitest';
import { supervisorEnv } from '../../supervisor/launch.js';

describe('supervisorEnv', () => {
  const saved = process.env.MALLOC_ARENA_MAX;
  afterEach(() => {
    if (saved === undefined) delete process.env.MALLOC_ARENA_MAX;
    else process.env.MALLOC_ARENA_MAX = saved;
  });

  it('limits glibc to two malloc arenas', () => {
    delete process.env.MALLOC_ARENA_MAX;
    expect(supervisorEnv().MALLOC_ARENA_MAX).toBe('2');
  });

  it('keeps a limit the caller set', () => {
    process.env.MALLOC_ARENA_MAX = '1';
    expect(supervisorEnv().MALLOC_ARENA_MAX).toBe('1');
  });
});
