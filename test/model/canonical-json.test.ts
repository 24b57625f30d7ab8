// canonicalJson writes a value with sorted keys; every config hash is a digest of it, so
// its text must never change: a changed text recreates every container on upgrade. Any
// faster way of writing it must write what JSON.stringify with a sorting replacer writes
// (the reference below).

import { describe, expect, it } from 'vitest';
import { canonicalJson, hashOf } from '../../model/hash.js';

/** The reference: JSON.stringify with a replacer that hands over each object sorted. */
function replacerJson(value: unknown): string {
  return JSON.stringify(value, (_key: string, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

const SAMPLES: unknown[] = [
  null,
  0,
  'text',
  [],
  {},
  { b: 1, a: 2 },
  { a: 1, b: { d: 1, c: 2 } },
  { a: [{ z: 1, y: [{ q: undefined, p: null }] }, 'x', 3], b: undefined },
  { '10': 'x', '9': 'y', b: 'z' },
  [undefined, () => 1, { b: [], a: {} }],
  { when: new Date(0), set: new Set([1]), map: new Map([['k', 1]]) },
  { z: { toJSON: () => ({ b: 1, a: [{ d: 1, c: 2 }] }) }, y: [{ toJSON: (key: string) => ({ key, a: 1 }) }] },
  [[{ b: 1, a: 2 }], { c: [3, { f: 1, e: 2 }] }],
  {
    project: 'p',
    service: 'web',
    env: { PATH: '/bin', INDEX: '1' },
    endpoints: [{ network: 'default', ifname: 'eth0', aliases: ['web'] }],
    resources: {},
    restart: { name: 'no' },
  },
];

describe('canonicalJson', () => {
  it.each(SAMPLES.map((s, i) => [i, s]))('writes sample %i as the reference does', (_i, sample) => {
    expect(canonicalJson(sample)).toBe(replacerJson(sample));
  });

  it('leaves the value it writes unchanged', () => {
    const value = { b: { d: 1, c: 2 }, a: [{ f: 1, e: 2 }] };
    const before = JSON.stringify(value);
    canonicalJson(value);
    expect(JSON.stringify(value)).toBe(before);
  });

  it('gives the hash it has always given', () => {
    // Written by commit 598f354.
    const value = {
      service: 'web',
      env: { ZED: '1', ALPHA: '2' },
      argv: ['sleep', '1'],
      nested: [{ b: 1, a: [{ d: undefined, c: null }] }],
      empty: {},
      '10': 'x',
      '9': 'y',
      skip: undefined,
    };
    expect(canonicalJson(value)).toBe(
      '{"9":"y","10":"x","argv":["sleep","1"],"empty":{},"env":{"ALPHA":"2","ZED":"1"},"nested":[{"a":[{"c":null}],"b":1}],"service":"web"}',
    );
    expect(hashOf(value)).toBe('1ba49c7aaabb83f1');
  });
});
