// Reference builds of the fixtures, cached: podman takes seconds a fixture, and its result
// depends only on the fixture's files, the base images, the fixtures it builds on and
// podman's version, so the comparable form of each build is kept under the test cache
// (STACK_TEST_CACHE/reference-builds/<key>.json) and built again only when one of those
// changes. STACK_TEST_REFERENCE_REBUILD=1 ignores the cache.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { imageFromJson, imageToJson, type ComparableImage } from './compare-images.js';
import { startBaseRegistry, testCacheDir, type BaseRegistry } from './base-images.js';
import { fixtureContentHash, type Fixture } from './fixtures.js';
import { makePodmanBuilder, PODMAN_BUILD_OPTIONS, type PodmanBuilder } from './podman-builder.js';
import { readDockerDir } from './read-image.js';

/** Bumped when what is cached changes meaning (the reader, the build options). */
const CACHE_FORMAT = 'reference-v2';

export interface ReferenceImages {
  /** The fixture's reference image, built (with what it needs) unless cached. */
  get(f: Fixture): Promise<ComparableImage & { cached: boolean }>;
}

export function makeReferenceImages(
  fixtures: Fixture[],
  builder: () => Promise<PodmanBuilder>,
  baseDigests: string[],
): ReferenceImages {
  const byName = new Map(fixtures.map((f) => [f.name, f]));
  const keys = new Map<string, string>();
  const key = (f: Fixture): string => {
    let k = keys.get(f.name);
    if (k === undefined) {
      const h = createHash('sha256').update(
        `${CACHE_FORMAT}\0${PODMAN_BUILD_OPTIONS.join(' ')}\0${baseDigests.join(',')}\0${fixtureContentHash(f)}`,
      );
      for (const n of f.spec.needs ?? []) h.update(`\0${key(byName.get(n)!)}`);
      k = h.digest('hex');
      keys.set(f.name, k);
    }
    return k;
  };
  const built = new Set<string>();
  let podman: PodmanBuilder | undefined;
  const cacheFile = async (f: Fixture) => {
    podman ??= await builder();
    const version = podman.version.replace(/[^\w.-]+/g, '_');
    return path.join(testCacheDir(), 'reference-builds', `${f.name}-${key(f)}-${version}.json`);
  };
  const build = async (f: Fixture): Promise<ComparableImage> => {
    for (const n of f.spec.needs ?? []) if (!built.has(n)) await build(byName.get(n)!);
    const img = await readDockerDir(await podman!.build(f));
    built.add(f.name);
    const file = await cacheFile(f);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(imageToJson(img)));
    fs.renameSync(`${file}.tmp`, file);
    return img;
  };
  return {
    async get(f) {
      const file = await cacheFile(f);
      if (process.env.STACK_TEST_REFERENCE_REBUILD !== '1' && fs.existsSync(file))
        return { ...imageFromJson(JSON.parse(fs.readFileSync(file, 'utf8'))), cached: true };
      return { ...(await build(f)), cached: false };
    },
  };
}

export interface ReferenceSetup {
  base: BaseRegistry;
  references: ReferenceImages;
  /** Removes podman's storage and stops the registry. */
  dispose(): Promise<void>;
}

/** The local registry with the base images, and the fixtures' reference images over it (podman made on first need). */
export async function startReferenceSetup(tmp: string, fixtures: Fixture[]): Promise<ReferenceSetup> {
  const base = await startBaseRegistry(tmp);
  let podman: PodmanBuilder | undefined;
  const references = makeReferenceImages(
    fixtures,
    async () => (podman = await makePodmanBuilder(path.join(tmp, 'podman'), base.registry.host)),
    base.digests,
  );
  return {
    base,
    references,
    async dispose() {
      // The registry stops even when podman's storage cannot be removed (a run that failed
      // at 00:20 on 2026-12-07 left its registry serving for an hour).
      try {
        await podman?.dispose();
      } finally {
        await base.registry.stop();
      }
    },
  };
}

/** Starts the setup before the file's tests and removes it (and `tmp`) after them; returns a getter. */
export function useReferenceSetup(tmp: string, fixtures: Fixture[]): () => ReferenceSetup {
  let setup: ReferenceSetup | undefined;
  beforeAll(async () => {
    setup = await startReferenceSetup(tmp, fixtures);
  }, 300_000);
  afterAll(async () => {
    await setup?.dispose();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  return () => setup ?? fail('the reference setup did not start');
}

function fail(message: string): never {
  throw new Error(message);
}
