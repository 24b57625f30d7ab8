// A container spec's `hash` is computed when first read (container-spec.ts): what reads it
// (JSON of a plan, spreads, records, reconcile's comparisons) must see what an eager hash
// gave, as the spec's last member.

import { describe, expect, it } from 'vitest';
import { load } from './helpers.js';
import { buildContainerSpec } from '../../planner/plan/container-spec.js';
import { canonicalJson, hashOf } from '../../model/hash.js';
import type { ImageInfo } from '../../model/observed.js';
import type { ContainerSpec } from '../../model/plan.js';

const image: ImageInfo = {
  ref: 'docker.io/library/busybox:latest',
  id: 'sha256:' + 'c'.repeat(64),
  layers: ['sha256:' + 'a'.repeat(64)],
  cmd: ['sh'],
  env: ['PATH=/bin'],
};
const specOf = (text: string): ContainerSpec => buildContainerSpec('p', load(text).services[0]!, image, [], []);
const file = `services:
  web:
    image: busybox
    command: [sleep, "1"]
    environment: {A: "1"}
`;

/** The hash as it was computed before it became lazy: over the spec's members but the per-replica ones. */
function eagerHash(spec: ContainerSpec): string {
  const skip = new Set(['hosts', 'name', 'displayName', 'replica', 'endpoints', 'mounts', 'readyPorts', 'hash']);
  const shape: Record<string, unknown> = { endpoints: [], mounts: [] };
  for (const [k, v] of Object.entries(spec)) if (!skip.has(k)) shape[k] = v;
  return hashOf(shape);
}

describe("a container spec's hash", () => {
  it('is the eager hash, read as a member, and the same on every read', () => {
    const spec = specOf(file);
    expect(spec.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(spec.hash).toBe(eagerHash(spec));
    expect(spec.hash).toBe(spec.hash);
  });

  it('is the last member that JSON and Object.keys see, with its value', () => {
    const spec = specOf(file);
    expect(Object.keys(spec).at(-1)).toBe('hash');
    const json = JSON.parse(JSON.stringify(spec)) as Record<string, unknown>;
    expect(Object.keys(json).at(-1)).toBe('hash');
    expect(json.hash).toBe(eagerHash(spec));
  });

  it('is copied by a spread as a plain value, and a copy with another name keeps it', () => {
    const spec = specOf(file);
    const copy = { ...spec, name: 'p-web-2', displayName: 'p-web-1' };
    expect(Object.getOwnPropertyDescriptor(copy, 'hash')?.value).toBe(spec.hash);
  });

  it('can be set, as records read back from JSON set it', () => {
    const spec = specOf(file);
    spec.hash = 'feedfacefeedface';
    expect(spec.hash).toBe('feedfacefeedface');
    expect(JSON.parse(JSON.stringify(spec)).hash).toBe('feedfacefeedface');
  });

  it('differs when a hashed member differs, and not for the name', () => {
    const a = specOf(file);
    const b = specOf(file.replace('"1"]', '"2"]'));
    expect(a.hash).not.toBe(b.hash);
    expect(canonicalJson({ ...a, name: 'x' }).includes(a.hash)).toBe(true);
  });
});
