import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findImage, listImages } from '../../executor/images/image-store.js';
import { pullImage } from '../../executor/images/pull-image.js';
import { paths } from '../../executor/host/linux/paths.js';
import { buildBusybox, buildTwoPlatformIndex, buildZstdBusybox } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';
import { makeStackEnv, stack } from '../support/stack-cli.js';

let tmp: string;
let registry: Registry;
const savedRoot = process.env.STACK_ROOT;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-pull-'));
  registry = await startRegistry(path.join(tmp, 'registry'));
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

describe('pullImage from a local docker-registry', () => {
  it('pulls an anonymous image, verifies and unpacks its layer', async () => {
    const built = buildBusybox(path.join(tmp, 'plain'));
    await registry.push(path.join(tmp, 'plain'), 'plain/busybox:1');
    const info = await pullImage(`${registry.host}/plain/busybox:1`);
    expect(info.ref).toBe(`${registry.host}/plain/busybox:1`);
    expect(info.id).toBe(built.manifest.config.digest);
    expect(info.layers).toEqual([built.manifest.layers[0]!.digest]);
    expect(info.cmd).toEqual(['sh']);
    expect(fs.readFileSync(path.join(paths.layerDir(info.layers[0]!), 'www/index.html'), 'utf8')).toBe('hello from stack\n');
    expect(await findImage(`${registry.host}/plain/busybox:1`)).toEqual(info);
    expect(fs.readdirSync(path.join(paths.imagesDir(), 'tmp'))).toEqual([]);
  });

  it('pulls a zstd layer', async () => {
    const built = buildZstdBusybox(path.join(tmp, 'zstd'));
    await registry.push(path.join(tmp, 'zstd'), 'zstd/busybox:1');
    const info = await pullImage(`${registry.host}/zstd/busybox:1`);
    expect(info.layers).toEqual([built.manifest.layers[0]!.digest]);
    expect(fs.readFileSync(path.join(paths.layerDir(info.layers[0]!), 'etc/passwd'), 'utf8')).toMatch(/^root:/);
  });

  it('picks linux/amd64 from a multi-platform index, or the platform asked for', async () => {
    const ids = buildTwoPlatformIndex(path.join(tmp, 'multi'));
    await registry.push(path.join(tmp, 'multi'), 'multi/busybox:1');
    const ref = `${registry.host}/multi/busybox:1`;
    expect((await pullImage(ref)).id).toBe(ids.amd64);
    const arm = await pullImage(ref, { platform: 'linux/arm64' });
    expect(arm.id).toBe(ids.arm64);
    expect(fs.readFileSync(path.join(paths.layerDir(arm.layers[0]!), 'www/index.html'), 'utf8')).toBe('arm64\n');
    await expect(pullImage(ref, { platform: 'linux/s390x' })).rejects.toThrow(/no manifest for linux\/s390x \(it has: linux\/amd64, linux\/arm64\)/);
    expect((await listImages()).map((i) => i.id)).toEqual([ids.arm64]);
  });

  it('names a missing image clearly', async () => {
    await expect(pullImage(`${registry.host}/nothing/here:1`)).rejects.toThrow(/does not exist in registry/);
  });

  it('`stack image pull` prints plain progress off a TTY and the stored image on stdout', async () => {
    const built = buildBusybox(path.join(tmp, 'cli'), 'cli');
    await registry.push(path.join(tmp, 'cli'), 'cli/busybox:2');
    const env = makeStackEnv();
    try {
      const r = stack(env, ['image', 'pull', `${registry.host}/cli/busybox:2`]);
      expect(r.stderr).toMatch(new RegExp(`^pulling ${registry.host}/cli/busybox:2 \\(sha256:[0-9a-f]{64}, 1 layer\\)\n ✔ layer [0-9a-f]{12} pulled\n$`));
      expect(r.stdout).toBe(`${registry.host}/cli/busybox:2 ${built.manifest.config.digest}\n`);
      expect(r.code).toBe(0);
      const again = stack(env, ['image', 'pull', `${registry.host}/cli/busybox:2`]);
      expect(again.stderr).toMatch(/already present/);
      expect(stack(env, ['image', 'ls']).stdout).toContain(`${registry.host}/cli/busybox:2`);
    } finally {
      env.dispose();
    }
  });
});
