// The Dockerfile fixtures (test/fixtures/dockerfiles/) built by the reference builder,
// podman, from base images in the local registry: each image must show what its
// fixture.json says (files, owners, modes, contents, config). This proves the fixtures
// before stack's builds are compared with these images (compare-reference.test.ts).
// Reference builds are cached by content (reference/reference-images.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFixtures, unmetExpectations } from './reference/fixtures.js';
import { isReferenceQuirk } from './reference/reference-quirks.js';
import { useReferenceSetup } from './reference/reference-images.js';

const fixtures = loadFixtures();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-reference-'));

const setup = useReferenceSetup(tmp, fixtures);

describe('Dockerfile fixtures built by podman', () => {
  it('are at least 15', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(15);
  });

  it.each(fixtures)(
    '$name: the image shows what fixture.json says',
    async (f) => {
      const img = await setup().references.get(f);
      expect(unmetExpectations(f, img, (where) => isReferenceQuirk(f.name, where))).toEqual([]);
    },
    180_000,
  );
});
