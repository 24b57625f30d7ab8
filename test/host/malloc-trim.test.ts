import { describe, expect, it } from 'vitest';
import { releaseFreeMemory } from '../../executor/host/linux/malloc-trim.js';

// What it saves is measured by bench/supervisor-memory.mjs (RSS has no place in a test).
describe('releaseFreeMemory', () => {
  it('trims the C heap on this glibc host, and again (the binding is kept)', () => {
    expect(releaseFreeMemory()).toBe(true);
    expect(releaseFreeMemory()).toBe(true);
  });
});
