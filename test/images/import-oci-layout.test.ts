import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobDigestError, ImageImportError, importOciLayout } from '../../images/import-oci-layout.js';
import { findImage, listImages } from '../../images/image-store.js';
import { ImageFormatError } from '../../images/image-format-error.js';
import { paths } from '../../store/paths.js';
import { buildWithDiffId } from './oci-layouts.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/build-busybox-image.mjs', import.meta.url));
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

let tmp: string;
let layout: string;
const savedRoot = process.env.STACK_ROOT;

function build(dir: string, ...args: string[]): string {
  return execFileSync(process.execPath, [SCRIPT, dir, ...args], { encoding: 'utf8' });
}

function blob(digest: string): string {
  return path.join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
}

async function manifestOf(dir: string): Promise<{ config: { digest: string }; layers: Array<{ digest: string }> }> {
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8'));
  return JSON.parse(readFileSync(path.join(dir, 'blobs', 'sha256', index.manifests[0].digest.slice(7)), 'utf8'));
}

async function storeIsEmpty(): Promise<void> {
  expect(await listImages()).toEqual([]);
  const layers = await fs.readdir(path.join(paths.imagesDir(), 'layers')).catch(() => []);
  expect(layers).toEqual([]);
}

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-import-'));
  process.env.STACK_ROOT = path.join(tmp, 'root');
  layout = path.join(tmp, 'layout');
  build(layout);
});
afterEach(async () => {
  if (savedRoot === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = savedRoot;
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('build-busybox-image.mjs', () => {
  it('is deterministic and writes a valid layout', async () => {
    const again = path.join(tmp, 'again');
    build(again);
    expect(readFileSync(path.join(again, 'index.json'), 'utf8')).toBe(
      readFileSync(path.join(layout, 'index.json'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(path.join(layout, 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
    const m = await manifestOf(layout);
    const config = JSON.parse(readFileSync(blob(m.config.digest), 'utf8'));
    const raw = execFileSync('gzip', ['-dc', blob(m.layers[0]!.digest)], { maxBuffer: 64 << 20 });
    expect(config.rootfs.diff_ids).toEqual([`sha256:${createHash('sha256').update(raw).digest('hex')}`]);
    expect(config).toMatchObject({ architecture: 'amd64', os: 'linux', config: { Env: [PATH_ENV], Cmd: ['sh'] } });
  });

  it('fails with usage on missing arguments', () => {
    expect(() => execFileSync(process.execPath, [SCRIPT], { stdio: 'pipe' })).toThrow(/usage/);
  });
});

describe('importOciLayout', () => {
  it('imports the busybox layout into the store', async () => {
    const m = await manifestOf(layout);
    const info = await importOciLayout(layout, {});
    // The record keeps the platform its config names (a service's platform is checked against it).
    const config = JSON.parse(
      readFileSync(path.join(layout, 'blobs/sha256', m.config.digest.slice('sha256:'.length)), 'utf8'),
    ) as { os: string; architecture: string };
    expect(info).toEqual({
      ref: 'stack.local/busybox:latest',
      id: m.config.digest,
      layers: [m.layers[0]!.digest],
      env: [PATH_ENV],
      cmd: ['sh'],
      manifest: JSON.parse(readFileSync(path.join(layout, 'index.json'), 'utf8')).manifests[0].digest,
      platform: `${config.os}/${config.architecture}`,
    });
    expect(await findImage('stack.local/busybox')).toEqual(info);
    expect(await listImages()).toEqual([info]);

    const root = paths.layerDir(info.layers[0]!);
    const bb = await fs.stat(path.join(root, 'bin/busybox'));
    expect(bb.isFile() && (bb.mode & 0o111) === 0o111).toBe(true);
    expect(await fs.readlink(path.join(root, 'bin/sh'))).toBe('busybox');
    expect(readFileSync(path.join(root, 'www/index.html'), 'utf8')).toBe('hello from stack\n');
    expect((await fs.stat(path.join(root, 'tmp'))).mode & 0o7777).toBe(0o1777);
    for (const d of ['proc', 'sys', 'dev', 'root', 'usr/bin', 'usr/sbin']) {
      expect((await fs.stat(path.join(root, d))).isDirectory()).toBe(true);
    }
    expect(execFileSync(path.join(root, 'bin/busybox'), ['echo', 'ok'], { encoding: 'utf8' })).toBe('ok\n');

    // A second import reuses the unpacked layer.
    const before = (await fs.stat(root)).ino;
    await importOciLayout(layout, {});
    expect((await fs.stat(root)).ino).toBe(before);
  });

  it('records the image under --tag, normalised', async () => {
    const other = path.join(tmp, 'other');
    build(other, '--tag', 'stack.local/web:1', '--page', 'page two');
    const info = await importOciLayout(other, { tag: 'mybox' });
    expect(info.ref).toBe('docker.io/library/mybox:latest');
    expect((await findImage('mybox'))?.id).toBe(info.id);
    expect(readFileSync(path.join(paths.layerDir(info.layers[0]!), 'www/index.html'), 'utf8')).toBe('page two\n');
  });

  it('records the config\'s HEALTHCHECK in milliseconds, leaving out docker\'s 0 ("not set")', async () => {
    const other = path.join(tmp, 'checked');
    const check = {
      Test: ['CMD-SHELL', 'test -f /ready'],
      Interval: 2_000_000_000,
      Timeout: 0,
      StartPeriod: 1_500_000,
      Retries: 4,
    };
    build(other, '--healthcheck', JSON.stringify(check));
    const info = await importOciLayout(other, {});
    // 1.5 ms rounds up: a short period must not turn into 0, which would mean the default.
    expect(info.healthcheck).toEqual({
      test: ['CMD-SHELL', 'test -f /ready'],
      intervalMs: 2000,
      startPeriodMs: 2,
      retries: 4,
    });
    expect((await findImage(info.ref))?.healthcheck).toEqual(info.healthcheck);
  });

  it('rejects a malformed HEALTHCHECK before storing anything', async () => {
    const other = path.join(tmp, 'broken-check');
    build(other, '--healthcheck', JSON.stringify({ Test: 'test -f /ready', Interval: -1 }));
    await expect(importOciLayout(other, {})).rejects.toThrow(ImageFormatError);
    await expect(importOciLayout(other, {})).rejects.toThrow(/config\.Healthcheck\.Test is not a list of strings/);
    await storeIsEmpty();
  });

  it("records the config's StopSignal, docker's real-time names as their number", async () => {
    for (const [given, kept] of [
      ['SIGINT', 'SIGINT'],
      ['QUIT', 'QUIT'],
      ['9', '9'],
      ['SIGRTMIN+3', '37'],
      ['RTMAX', '64'],
    ]) {
      const other = path.join(tmp, `stop-${given}`);
      build(other, '--tag', `stack.local/stop:${kept}`, '--stop-signal', given!);
      const info = await importOciLayout(other, {});
      expect([given, info.stopSignal]).toEqual([given, kept]);
      expect((await findImage(info.ref))?.stopSignal).toBe(kept);
    }
  });

  it('rejects a StopSignal that is no signal before storing anything', async () => {
    const other = path.join(tmp, 'bad-stop');
    build(other, '--stop-signal', 'SIGNOPE');
    await expect(importOciLayout(other, {})).rejects.toThrow(/config\.StopSignal "SIGNOPE" is not a signal/);
    await storeIsEmpty();
  });

  it('rejects a tampered layer and stores nothing', async () => {
    const m = await manifestOf(layout);
    const file = blob(m.layers[0]!.digest);
    const data = await fs.readFile(file);
    data[data.length - 100] ^= 0xff;
    await fs.writeFile(file, data);
    const err = await importOciLayout(layout, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobDigestError);
    expect((err as BlobDigestError).digest).toBe(m.layers[0]!.digest);
    await storeIsEmpty();
  });

  it('rejects a tampered config and stores nothing', async () => {
    const m = await manifestOf(layout);
    const file = blob(m.config.digest);
    await fs.writeFile(file, readFileSync(file, 'utf8').replace('"sh"', '"ls"'));
    await expect(importOciLayout(layout, {})).rejects.toThrow(BlobDigestError);
    await storeIsEmpty();
  });

  it('rejects a missing blob with a clear error', async () => {
    const m = await manifestOf(layout);
    await fs.rm(blob(m.layers[0]!.digest));
    await expect(importOciLayout(layout, {})).rejects.toThrow(ImageImportError);
    await expect(importOciLayout(layout, {})).rejects.toThrow(/missing/);
    await storeIsEmpty();
  });

  it('rejects an image whose config names another diff_id for a layer already stored, and stores nothing', async () => {
    const good = await importOciLayout(layout, {});
    const forgedDiffId = `sha256:${'f'.repeat(64)}`;
    buildWithDiffId(path.join(tmp, 'forged'), layout, forgedDiffId);
    const err = await importOciLayout(path.join(tmp, 'forged'), { tag: 'stk.test/forged:1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageFormatError);
    expect((err as Error).message).toContain(`layer ${good.layers[0]} is stored with content digest`);
    expect((err as Error).message).toContain(`the config's diff_id for it is ${forgedDiffId}`);
    expect(await findImage('stk.test/forged:1')).toBeUndefined();
    expect((await listImages()).map((i) => i.ref)).toEqual([good.ref]);
  });

  it('verifies a layer stored before diff_ids were recorded against the config, from the blob again', async () => {
    const good = await importOciLayout(layout, {});
    await fs.rm(path.join(paths.imagesDir(), 'diff-ids'), { recursive: true, force: true }); // as an older stack left it
    buildWithDiffId(path.join(tmp, 'forged'), layout, `sha256:${'e'.repeat(64)}`);
    await expect(importOciLayout(path.join(tmp, 'forged'), { tag: 'stk.test/forged:1' })).rejects.toThrow(
      /diff_id says sha256:e{64}/,
    );
    expect(await findImage('stk.test/forged:1')).toBeUndefined();
    expect((await importOciLayout(layout, { tag: 'stk.test/again:1' })).layers).toEqual(good.layers);
    expect(readFileSync(path.join(paths.layerDir(good.layers[0]!), 'bin/busybox')).length).toBeGreaterThan(0);
  });

  it('rejects a folder without index.json', async () => {
    await expect(importOciLayout(path.join(tmp, 'nowhere'), {})).rejects.toThrow(/index\.json/);
  });
});
