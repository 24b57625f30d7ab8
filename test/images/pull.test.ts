import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findImage, listImages } from '../../images/image-store.js';
import { pullImage } from '../../images/pull-image.js';
import { paths } from '../../store/paths.js';
import { buildBusybox, buildTwoPlatformIndex, buildWithDiffId, buildZstdBusybox } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';
import { makeStackEnv, stack } from '../support/stack-cli.js';
import { startDropProxy } from './drop-proxy.js';
import { blobTmpDir } from '../../images/blob-download.js';
import { spawnSync } from 'node:child_process';

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
    expect(fs.readFileSync(path.join(paths.layerDir(info.layers[0]!), 'www/index.html'), 'utf8')).toBe(
      'hello from stack\n',
    );
    expect(await findImage(`${registry.host}/plain/busybox:1`)).toEqual(info);
    expect(fs.readdirSync(path.join(paths.imagesDir(), 'tmp'))).toEqual([]);
  });

  it('pulls a Docker v2 schema 2 manifest', async () => {
    buildBusybox(path.join(tmp, 'v2s2'), 'docker schema 2');
    await registry.push(path.join(tmp, 'v2s2'), 'v2s2/busybox:1', undefined, 'v2s2');
    const res = await fetch(`http://${registry.host}/v2/v2s2/busybox/manifests/1`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(res.headers.get('content-type')).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const info = await pullImage(`${registry.host}/v2s2/busybox:1`);
    expect(fs.readFileSync(path.join(paths.layerDir(info.layers[0]!), 'www/index.html'), 'utf8')).toBe(
      'docker schema 2\n',
    );
    expect(info.cmd).toEqual(['sh']);
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
    await expect(pullImage(ref, { platform: 'linux/s390x' })).rejects.toThrow(
      /no manifest for linux\/s390x \(it has: linux\/amd64, linux\/arm64\)/,
    );
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
      expect(r.stderr).toMatch(
        new RegExp(
          `^pulling ${registry.host}/cli/busybox:2 \\(sha256:[0-9a-f]{64}, 1 layer\\)\n ✔ layer [0-9a-f]{12} pulled\n$`,
        ),
      );
      expect(r.stdout).toBe(`${registry.host}/cli/busybox:2 ${built.manifest.config.digest}\n`);
      expect(r.code).toBe(0);
      const again = stack(env, ['image', 'pull', `${registry.host}/cli/busybox:2`]);
      expect(again.stderr).toMatch(/already present/);
      expect(stack(env, ['image', 'ls']).stdout).toContain(`${registry.host}/cli/busybox:2`);
    } finally {
      env.dispose();
    }
  });

  it('rejects a tampered layer blob and stores nothing', async () => {
    const built = buildBusybox(path.join(tmp, 'tampered'), 'tampered');
    await registry.push(path.join(tmp, 'tampered'), 'tampered/busybox:1');
    const file = registry.blobFile(built.manifest.layers[0]!.digest);
    const data = fs.readFileSync(file);
    data[data.length >> 1] ^= 0xff; // same size, one byte changed
    fs.writeFileSync(file, data);
    await expect(pullImage(`${registry.host}/tampered/busybox:1`)).rejects.toThrow(
      /does not match its digest: expected sha256:[0-9a-f]{64}, got/,
    );
    expect(await listImages()).toEqual([]);
    expect(fs.existsSync(path.join(paths.imagesDir(), 'layers'))).toBe(false);
    expect(fs.readdirSync(blobTmpDir())).toEqual([]);
  });

  it('rejects an image whose config names another diff_id for a layer already stored, before fetching anything', async () => {
    const dir = path.join(tmp, 'shared');
    const built = buildBusybox(dir, 'shared layer');
    await registry.push(dir, 'shared/good:1');
    await pullImage(`${registry.host}/shared/good:1`);
    const forgedDiffId = `sha256:${'f'.repeat(64)}`;
    buildWithDiffId(path.join(tmp, 'shared-forged'), dir, forgedDiffId);
    await registry.push(path.join(tmp, 'shared-forged'), 'shared/forged:1');
    await expect(pullImage(`${registry.host}/shared/forged:1`)).rejects.toThrow(
      `layer ${built.manifest.layers[0]!.digest} is stored with content digest ${built.config.rootfs.diff_ids[0]}, but the config's diff_id for it is ${forgedDiffId}`,
    );
    expect((await listImages()).map((i) => i.ref)).toEqual([`${registry.host}/shared/good:1`]);
    expect(fs.readdirSync(blobTmpDir())).toEqual([]);
  });

  it('rejects a tampered manifest (the registry announces another digest) and stores nothing', async () => {
    const built = buildBusybox(path.join(tmp, 'tampered-m'), 'tampered manifest');
    await registry.push(path.join(tmp, 'tampered-m'), 'tamperedm/busybox:1');
    const file = registry.blobFile(built.manifestDesc.digest);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"schemaVersion":2', '"schemaVersion": 2'));
    await expect(pullImage(`${registry.host}/tamperedm/busybox:1`)).rejects.toThrow(
      /manifest .* does not match its digest/,
    );
    expect(await listImages()).toEqual([]);
  });

  it('resumes an interrupted download with a Range request; the store is never half an image', async () => {
    const built = buildBusybox(path.join(tmp, 'resume'), 'resume');
    await registry.push(path.join(tmp, 'resume'), 'resume/busybox:1');
    const layer = built.manifest.layers[0]!;
    const proxy = await startDropProxy(registry.host);
    try {
      const ref = `${proxy.host}/resume/busybox:1`;
      const half = Math.floor(layer.size / 2);
      proxy.dropNext(layer.digest, half);
      await expect(pullImage(ref)).rejects.toThrow(/ended after|socket hang up|aborted|ECONNRESET/);
      expect(await listImages()).toEqual([]);
      expect(fs.existsSync(paths.layerDir(layer.digest))).toBe(false);
      const partial = path.join(blobTmpDir(), `${layer.digest.slice(7)}.partial`);
      expect(fs.statSync(partial).size).toBe(half);
      expect(fs.readdirSync(blobTmpDir())).toEqual([path.basename(partial)]); // the lock is released

      const info = await pullImage(ref);
      expect(proxy.ranges.get(layer.digest)).toEqual(['', `bytes=${half}-`]);
      expect(info.layers).toEqual([layer.digest]);
      expect(fs.readFileSync(path.join(paths.layerDir(layer.digest), 'www/index.html'), 'utf8')).toBe('resume\n');
      expect(fs.readdirSync(blobTmpDir())).toEqual([]);
    } finally {
      await proxy.stop();
    }
  });

  it('a pull killed mid-way leaves a stale lock and partial; the next pull completes', async () => {
    const built = buildBusybox(path.join(tmp, 'killed'), 'killed');
    await registry.push(path.join(tmp, 'killed'), 'killed/busybox:1');
    const layer = built.manifest.layers[0]!;
    // What SIGKILL leaves: a lock naming a dead pid and a partial blob.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    fs.mkdirSync(blobTmpDir(), { recursive: true });
    fs.writeFileSync(path.join(blobTmpDir(), `${layer.digest.slice(7)}.lock`), String(dead));
    const blob = fs.readFileSync(path.join(tmp, 'killed', 'blobs', 'sha256', layer.digest.slice(7)));
    fs.writeFileSync(path.join(blobTmpDir(), `${layer.digest.slice(7)}.partial`), blob.subarray(0, 1000));
    const info = await pullImage(`${registry.host}/killed/busybox:1`);
    expect(info.id).toBe(built.manifest.config.digest);
    expect(fs.readdirSync(blobTmpDir())).toEqual([]);
  });
});
