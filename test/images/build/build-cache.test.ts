// A step's build-cache entry is written while the build goes on (images/build/pending-work.ts);
// a later step with the same key in the same process must find it before it has landed, and
// after that the entry on disk rules (its layer must be in the store).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cachedStep, cacheStep } from '../../../images/build/build-cache.js';

describe('the build cache', () => {
  const saved = process.env.STACK_ROOT;
  let root: string;
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-build-cache-'));
    process.env.STACK_ROOT = root;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.STACK_ROOT;
    else process.env.STACK_ROOT = saved;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('gives an entry still being written to a lookup of its key, then reads the landed one', async () => {
    const layer = { digest: `sha256:${'a'.repeat(64)}`, diffId: `sha256:${'b'.repeat(64)}` };
    const entry = { layer, created: '2026-01-01T00:00:00.000Z' };
    const written = cacheStep('key-1', entry);
    expect(await cachedStep('key-1')).toEqual(entry);
    await written;
    expect(fs.readdirSync(path.join(root, 'images', 'build-cache'))).toHaveLength(1);
    // Landed: its layer is not in this store, so the entry no longer counts.
    expect(await cachedStep('key-1')).toBeUndefined();
    const empty = { created: '2026-01-01T00:00:00.000Z' };
    await cacheStep('key-2', empty);
    expect(await cachedStep('key-2')).toEqual(empty);
  });
});
