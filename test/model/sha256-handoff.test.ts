// model/sha256.ts hashes in JS only while that is cheaper than loading node:crypto: a text
// that alone is past the hand-off goes to node:crypto at once (in JS, ~26 ms of CPU per MB
// against ~3.5 ms to load node:crypto and ~3 ms to hash). Whether node:crypto was asked for
// is seen through createRequire, the only way sha256.ts loads it.

import { createHash } from 'node:crypto';
import { expect, it, vi } from 'vitest';

const required = vi.hoisted(() => [] as string[]);
vi.mock('node:module', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:module')>();
  const createRequire = (url: string | URL) => {
    const real = actual.createRequire(url);
    return Object.assign((id: string) => (required.push(id), real(id)), real);
  };
  return { ...actual, default: { ...actual, createRequire }, createRequire };
});

const { sha256Hex } = await import('../../model/sha256.js');

it('hashes a short first text in JS, and hands a first text past the hand-off to node:crypto', () => {
  expect(sha256Hex('stack')).toBe(createHash('sha256').update('stack').digest('hex'));
  expect(required).toEqual([]);
  const big = 'x'.repeat(64 * 1024);
  expect(sha256Hex(big)).toBe(createHash('sha256').update(big).digest('hex'));
  expect(required).toEqual(['node:crypto']);
});
