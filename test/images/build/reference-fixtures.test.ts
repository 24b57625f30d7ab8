// The Dockerfile fixtures (test/fixtures/dockerfiles/) built by the reference builder,
// podman, from base images in the local registry: each image must show what its
// fixture.json says (files, owners, modes, contents, config). This proves the fixtures
// before stack's builds are compared with these images (compare-reference.test.ts).
// Reference builds are cached by content (reference/reference-images.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBaseRegistry, type BaseRegistry } from './reference/base-images.js';
import { loadFixtures, unmetExpectations } from './reference/fixtures.js';
import { makePodmanBuilder, type PodmanBuilder } from './reference/podman-builder.js';
import { isReferenceQuirk } from './reference/reference-quirks.js';
import { makeReferenceImages, type ReferenceImages } from './reference/reference-images.js';

const fixtures = loadFixtures();
let tmp: string;
let base: BaseRegistry;
let podman: PodmanBuilder | undefined;
let references: ReferenceImages;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-reference-'));
  base = await startBaseRegistry(tmp);
  references = makeReferenceImages(
    fixtures,
    async () => (podman = await makePodmanBuilder(path.join(tmp, 'podman'), base.registry.host)),
    base.digests,
  );
}, 300_000);

afterAll(async () => {
  await podman?.dispose();
  await base?.registry.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('Dockerfile fixtures built by podman', () => {
  it('are at least 15', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  it.each(fixtures)(
    '$name: the image shows what fixture.json says',
    async (f) => {
      const img = await references.get(f);
      expect(unmetExpectations(f, img, (where) => isReferenceQuirk(f.name, where))).toEqual([]);
    },
    180_000,
  );
});
