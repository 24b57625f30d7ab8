// Pull and import keep what they verified — the compressed layers, the config and the
// manifest — under images/blobs with the digests they came with, and the record names the
// manifest, so any stored image can be pushed or saved as it is.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importOciLayout } from '../../images/import-oci-layout.js';
import { pullImage } from '../../images/pull-image.js';
import { paths } from '../../store/paths.js';
import { blobPath, buildBusybox, type Layout } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';

let tmp: string;
let registry: Registry;
let layout: string;
let built: Layout;
const savedRoot = process.env.STACK_ROOT;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-kept-'));
  registry = await startRegistry(path.join(tmp, 'registry'));
  layout = path.join(tmp, 'layout');
  built = buildBusybox(layout, 'kept');
  await registry.push(layout, 'kept/busybox:1');
});
afterAll(async () => {
  await registry?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  process.env.STACK_ROOT = fs.mkdtempSync(path.join(tmp, 'root-'));
});
afterEach(() => {
  if (savedRoot === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = savedRoot;
});

/** Every blob of the layout's image is kept in the store, byte for byte. */
function expectKept(): void {
  for (const d of [
    built.manifestDesc.digest,
    built.manifest.config.digest,
    ...built.manifest.layers.map((l) => l.digest),
  ])
    expect(fs.readFileSync(paths.blobFile(d)).equals(fs.readFileSync(blobPath(layout, d)))).toBe(true);
}

describe('kept blobs', () => {
  it('a pull keeps the manifest as the registry sent it, the config and the layer blob', async () => {
    const info = await pullImage(`${registry.host}/kept/busybox:1`);
    expect(info.manifest).toBe(built.manifestDesc.digest);
    expectKept();
  });

  it('a pull of an image whose layer is unpacked but whose blob is not kept fetches the blob again', async () => {
    await pullImage(`${registry.host}/kept/busybox:1`);
    fs.rmSync(path.join(paths.imagesDir(), 'blobs'), { recursive: true }); // a store from before blobs were kept
    const events: string[] = [];
    await pullImage(`${registry.host}/kept/busybox:1`, { onEvent: (e) => events.push(e.type) });
    expect(events).not.toContain('layer-unpacking'); // the layer itself is reused
    expect(events).toContain('layer-done');
    expectKept();
  });

  it('an OCI layout import keeps its blobs and names its manifest', async () => {
    const info = await importOciLayout(layout, { tag: 'stk.test/kept:1' });
    expect(info.manifest).toBe(built.manifestDesc.digest);
    expectKept();
  });
});
