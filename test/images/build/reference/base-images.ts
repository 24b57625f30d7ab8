// The base images every fixture builds on, served by the tests' local registry (Debian's
// docker-registry on 127.0.0.1) so that stack and the reference builder pull the same
// bytes: the busybox image the project makes (scripts/build-busybox-image.mjs) and the
// Debian 12 minbase image (scripts/build-debian-minbase.mjs, debootstrap'd once and cached).
// Dockerfiles name them under the made-up registry `stack.test`; each builder is pointed at
// the local registry for it (podman through registries.conf, stack through its base-image
// lookup), so the fixtures do not change with the registry's port.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../../support/stack-cli.js';
import { buildBusybox } from '../../oci-layouts.js';
import { startRegistry, type Registry } from '../../registry-fixture.js';

export const FIXTURE_REGISTRY = 'stack.test';
export const BASE_IMAGES = {
  busybox: `${FIXTURE_REGISTRY}/busybox:test`,
  debian: `${FIXTURE_REGISTRY}/debian:bookworm-minbase`,
};

/** Where test caches live (the Debian image, reference builds): outside the repo, kept across runs. */
export const testCacheDir = () => process.env.STACK_TEST_CACHE ?? '/var/cache/stack-test';

/** Folder of the Debian minbase OCI layout, made on first use (the only step that needs Debian's archive). */
export function debianMinbaseLayout(): string {
  return execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-debian-minbase.mjs')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

export interface BaseRegistry {
  registry: Registry;
  /** `stack.test/x:y` → `127.0.0.1:PORT/x:y`; other references are left as they are. */
  resolve(ref: string): string;
  /** The manifest digests of the base images, for cache keys of builds made on them. */
  digests: string[];
}

export async function startBaseRegistry(dir: string): Promise<BaseRegistry> {
  const registry = await startRegistry(path.join(dir, 'registry'));
  try {
    const busybox = buildBusybox(path.join(dir, 'busybox-layout'));
    await registry.push(path.join(dir, 'busybox-layout'), BASE_IMAGES.busybox.slice(FIXTURE_REGISTRY.length + 1));
    const debian = debianMinbaseLayout();
    await registry.push(debian, BASE_IMAGES.debian.slice(FIXTURE_REGISTRY.length + 1));
    const debianIndex = JSON.parse(fs.readFileSync(path.join(debian, 'index.json'), 'utf8')) as {
      manifests: { digest: string }[];
    };
    const prefix = `${FIXTURE_REGISTRY}/`;
    return {
      registry,
      resolve: (ref) => (ref.startsWith(prefix) ? `${registry.host}/${ref.slice(prefix.length)}` : ref),
      digests: [busybox.manifestDesc.digest, debianIndex.manifests[0]!.digest],
    };
  } catch (err) {
    await registry.stop();
    throw err;
  }
}
