import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findImage, hasLayer, listImages, removeImage, saveImage } from '../../images/image-store.js';
import { paths } from '../../store/paths.js';
import type { ImageInfo } from '../../model/observed.js';

let tmp: string;
const savedRoot = process.env.STACK_ROOT;
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-store-'));
  process.env.STACK_ROOT = tmp;
});
afterEach(async () => {
  if (savedRoot === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = savedRoot;
  await fs.rm(tmp, { recursive: true, force: true });
});

const image = (ref: string, id = D1): ImageInfo => ({ ref, id, layers: [D1, D2], env: ['A=1'], cmd: ['sh'] });

describe('image store', () => {
  it('is empty before anything is stored', async () => {
    expect(await listImages()).toEqual([]);
    expect(await findImage('busybox')).toBeUndefined();
    expect(await hasLayer(D1)).toBe(false);
  });

  it('saves under the normalised ref and finds any spelling', async () => {
    const saved = await saveImage(image('busybox'));
    expect(saved.ref).toBe('docker.io/library/busybox:latest');
    expect(await findImage('docker.io/library/busybox')).toEqual(saved);
    expect(await fs.readdir(paths.imageRefsDir())).toEqual([`${encodeURIComponent(saved.ref)}.json`]);
    await saveImage(image('localhost:5000/app:2', D2));
    expect((await listImages()).map((i) => i.ref)).toEqual([
      'docker.io/library/busybox:latest',
      'localhost:5000/app:2',
    ]);
  });

  it('replaces a record atomically and removes it', async () => {
    await saveImage(image('busybox', D1));
    await saveImage(image('busybox', D2));
    expect((await findImage('busybox'))?.id).toBe(D2);
    expect((await fs.readdir(paths.imageRefsDir())).length).toBe(1);
    expect(await removeImage('busybox:latest')).toBe(true);
    expect(await removeImage('busybox')).toBe(false);
    expect(await listImages()).toEqual([]);
  });

  it('reports a malformed record', async () => {
    await fs.mkdir(paths.imageRefsDir(), { recursive: true });
    await fs.writeFile(path.join(paths.imageRefsDir(), 'x.json'), '{"ref": 1}');
    await expect(listImages()).rejects.toThrow(/malformed/);
  });

  it('keeps a recorded healthcheck, and reports one of the wrong shape', async () => {
    const checked = { ...image('busybox'), healthcheck: { test: ['CMD', 'true'], intervalMs: 2000 } };
    expect(await findImage((await saveImage(checked)).ref)).toEqual({
      ...checked,
      ref: 'docker.io/library/busybox:latest',
    });
    await fs.writeFile(
      path.join(paths.imageRefsDir(), 'x.json'),
      JSON.stringify({ ...image('x'), healthcheck: { test: 'true' } }),
    );
    await expect(listImages()).rejects.toThrow(/malformed/);
  });

  it('keeps a recorded stop signal, and reports one the runtime could not send', async () => {
    const stopping = { ...image('busybox'), stopSignal: 'SIGINT' };
    expect(await findImage((await saveImage(stopping)).ref)).toEqual({
      ...stopping,
      ref: 'docker.io/library/busybox:latest',
    });
    await fs.writeFile(
      path.join(paths.imageRefsDir(), 'x.json'),
      JSON.stringify({ ...image('x'), stopSignal: 'SIGRTMIN+3' }),
    );
    await expect(listImages()).rejects.toThrow(/malformed/);
  });

  it('knows unpacked layers', async () => {
    await fs.mkdir(paths.layerDir(D1), { recursive: true });
    expect(await hasLayer(D1)).toBe(true);
    expect(await hasLayer(D2)).toBe(false);
  });
});
