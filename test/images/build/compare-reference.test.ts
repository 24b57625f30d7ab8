// Privileged: every Dockerfile fixture (test/fixtures/dockerfiles/) built by stack's
// buildImage, with the real runtime, and by the reference builder (podman, cached by
// content), from the same base images in the local registry; the two images must show the
// same file tree (paths, types, modes, owners, sizes, content hashes, link targets) and the
// same config. A difference fails the test with its path or field, unless ALLOWED below
// explains it. Where the reference itself is not docker (reference/reference-quirks.ts),
// stack's image is held to the fixture's expectation instead. The tree is read from the
// blobs stack keeps for push, and must equal the tree of its unpacked layers.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBuildStepRunner } from '../../../executor/build-step-runner.js';
import { createLinuxHost } from '../../../executor/host/linux/linux-host.js';
import { buildImage } from '../../../images/build/build-image.js';
import type { BuildRequest } from '../../../images/build/build-request.js';
import { findImage } from '../../../images/image-store.js';
import { pullImage } from '../../../images/pull-image.js';
import type { ImageInfo } from '../../../model/observed.js';
import {
  describeDifference,
  diffImages,
  imageToJson,
  unexplained,
  type AllowedDifference,
} from './reference/compare-images.js';
import { loadFixtures, unmetExpectations, type Fixture } from './reference/fixtures.js';
import { isReferenceQuirk, REFERENCE_QUIRKS } from './reference/reference-quirks.js';
import { useReferenceSetup } from './reference/reference-images.js';
import { readStoreBlobs, readStoreLayers } from './reference/read-image.js';

/**
 * The differences between stack's image and podman's that are accepted, each with its
 * reason (docs/building.md lists them too). Anything else fails the test.
 */
const ALLOWED: AllowedDifference[] = [
  {
    where: /^\/etc\/hostname$/,
    what: 'only in reference',
    reason:
      'buildah makes an empty /etc/hostname in the root of every RUN step, as the mount point of the one it binds there, and commits it; BuildKit and stack leave no mount point behind',
  },
  {
    where: /^\/run(\/secrets)?$/,
    what: 'only in reference',
    reason:
      'buildah makes /run/secrets (and /run) in every RUN step, as the mount point of its secrets folder, and commits them; BuildKit and stack leave no mount point behind',
  },
  {
    fixtures: ['run-mounts'],
    where: /^\/(mnt|var|var\/cache)$/,
    what: 'only in reference',
    reason:
      'the folders buildah makes on the way to the targets of RUN --mount (/mnt/data.txt, /var/cache/fixture) stay in its layer; BuildKit and stack remove the mount points they made',
  },
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-compare-'));
process.env.STACK_ROOT = path.join(tmp, 'root');
process.env.STACK_RUN = path.join(tmp, 'run');
const fixtures = loadFixtures();
const runner = makeBuildStepRunner(createLinuxHost());

/** Layers a built image's manifest names without keeping their blobs, by fixture. */
const missingBlobs: string[] = [];
const quiet = { stepStarted: () => {}, stepOutput: () => {}, stepDone: () => {} };
const fixtureTags = new Set(fixtures.flatMap((f) => (f.spec.tag ? [f.spec.tag] : [])));

/** FROM and COPY --from images: a fixture's image from the store, a base from the local registry. */
async function baseImage(ref: string): Promise<ImageInfo> {
  if (fixtureTags.has(ref)) {
    const built = await findImage(ref);
    if (!built) throw new Error(`${ref} is built by a fixture that has not been built`);
    return built;
  }
  return pullImage(setup().base.resolve(ref));
}

function request(f: Fixture): BuildRequest {
  const secrets = Object.entries(f.spec.secrets ?? {}).map(([id, content]) => {
    const file = path.join(tmp, 'secrets', `${f.name}-${id}`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content, { mode: 0o600 });
    return { id, file };
  });
  return {
    context: f.dir,
    dockerfile: { file: path.join(f.dir, f.spec.dockerfile ?? 'Dockerfile') },
    buildArgs: new Map(Object.entries(f.spec.buildArgs ?? {})),
    target: f.spec.target,
    tags: [f.spec.tag ?? `stack.local/fixture-${f.name}:latest`],
    labels: {},
    noCache: false,
    pull: false,
    network: 'none',
    extraHosts: [],
    secrets,
    additionalContexts: {},
  };
}

const setup = useReferenceSetup(tmp, fixtures);

describe('stack builds the Dockerfile fixtures as podman does', () => {
  it.each(fixtures)(
    '$name',
    async (f) => {
      const reference = await setup().references.get(f);
      const info = await buildImage(request(f), { runner, events: quiet, baseImage });
      const mine = await readStoreBlobs(info);
      if (mine.missingBlobs.length > 0) missingBlobs.push(`${f.name}: ${mine.missingBlobs.join(', ')}`);
      // What would be pushed is what runs.
      expect(imageToJson(await readStoreLayers(info))).toEqual(imageToJson(mine));

      const diffs = diffImages(reference, mine);
      const problems = unexplained(f.name, diffs, ALLOWED)
        .filter((d) => !isReferenceQuirk(f.name, d.where))
        .map(describeDifference);
      // Where podman is not docker, the fixture's expectation (docker's meaning) is the judge.
      const quirks = REFERENCE_QUIRKS.filter((q) => q.fixture === f.name).map((q) => q.where);
      problems.push(
        ...unmetExpectations(f, mine, (where) => !quirks.some((q) => where === q || where.startsWith(`${q}/`))),
      );
      expect(problems).toEqual([]);
    },
    180_000,
  );

  it('keeps the blob of every layer a built manifest names, the base image’s too (push and save need them)', () => {
    expect(missingBlobs).toEqual([]);
  });
});
