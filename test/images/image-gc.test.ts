import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ImageInUseError, NoSuchImageError, pruneImages, removeImages } from '../../images/image-gc.js';
import { listImages } from '../../images/image-store.js';
import { importOciLayout } from '../../images/import-oci-layout.js';
import { holdLayers } from '../../images/layer-holds.js';
import { blobTmpDir } from '../../images/blob-download.js';
import { paths } from '../../store/paths.js';
import type { ImageInfo } from '../../model/observed.js';
import { buildBusybox } from './oci-layouts.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec } from '../../model/plan.js';

let tmp: string;
const savedRoot = process.env.STACK_ROOT;
let used: ImageInfo;
let spare: ImageInfo;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-gc-'));
  buildBusybox(path.join(tmp, 'used'), 'used');
  buildBusybox(path.join(tmp, 'spare'), 'spare');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(async () => {
  process.env.STACK_ROOT = fs.mkdtempSync(path.join(tmp, 'root-'));
  used = await importOciLayout(path.join(tmp, 'used'), { tag: 'stk.test/used:1' });
  spare = await importOciLayout(path.join(tmp, 'spare'), { tag: 'stk.test/spare:1' });
  // A container record of some stack, as the state store writes it.
  const spec: ContainerSpec = {
    ...defaultRuntimeOptions(),
    project: 'gcproj',
    service: 'web',
    name: 'app-web-1',
    hostname: 'web',
    image: { ref: used.ref, id: used.id, layers: used.layers },
    argv: ['sh'],
    env: [],
    cwd: '/',
    endpoints: [],
    hosts: [],
    stopSignal: 'SIGTERM',
    stopGraceSeconds: 10,
    hash: 'x',
  };
  const record = { spec, status: 'running' };
  const dir = path.join(paths.stateDir('gcproj'), 'containers');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'app-web-1.json'), JSON.stringify(record));
});
afterEach(() => {
  if (savedRoot === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = savedRoot;
});

const layerNames = () => fs.readdirSync(path.join(paths.imagesDir(), 'layers')).sort();
const hex = (d: string) => d.slice(7);

describe('image rm', () => {
  it('refuses an image a stack container uses, naming it; -f removes the record but keeps the layers', async () => {
    await expect(removeImages(['stk.test/spare:1', 'stk.test/used:1'], false)).rejects.toThrow(ImageInUseError);
    await expect(removeImages(['stk.test/used:1'], false)).rejects.toThrow(
      'image stk.test/used:1 is used by gcproj/app-web-1; remove those containers first (stack down), or force with -f',
    );
    expect((await listImages()).length).toBe(2); // nothing removed when one ref is refused
    expect(await removeImages(['stk.test/used:1'], true)).toEqual(['stk.test/used:1']);
    expect(layerNames()).toContain(hex(used.layers[0]!));
    await expect(removeImages(['nope'], false)).rejects.toThrow(NoSuchImageError);
  });
});

describe('an image a container mounts (type: image)', () => {
  it('is in use: rm refuses it, prune keeps its layers', async () => {
    const file = path.join(paths.stateDir('gcproj'), 'containers', 'app-web-1.json');
    const record = JSON.parse(fs.readFileSync(file, 'utf8')) as { spec: ContainerSpec };
    const mount = { type: 'image', source: spare.ref, target: '/img', readOnly: true };
    record.spec.mounts = [{ ...mount, image: { id: spare.id, layers: spare.layers } } as ContainerSpec['mounts'][0]];
    fs.writeFileSync(file, JSON.stringify(record));
    await expect(removeImages(['stk.test/spare:1'], false)).rejects.toThrow(
      'image stk.test/spare:1 is used by gcproj/app-web-1',
    );
    await pruneImages();
    expect((await listImages()).map((i) => i.ref).sort()).toEqual(['stk.test/spare:1', 'stk.test/used:1']);
    for (const l of spare.layers) expect(layerNames()).toContain(hex(l));
  });
});

describe('image prune', () => {
  it('removes unused images and their layers; keeps what a container record or a running pull uses; clears dead leftovers', async () => {
    await removeImages(['stk.test/used:1'], true); // the container still runs on its layers
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    const layers = path.join(paths.imagesDir(), 'layers');
    fs.mkdirSync(path.join(layers, `${'a'.repeat(64)}.partial-${dead}-beef`));
    fs.mkdirSync(path.join(layers, 'b'.repeat(64)));
    fs.mkdirSync(blobTmpDir(), { recursive: true });
    fs.writeFileSync(path.join(blobTmpDir(), `${'c'.repeat(64)}.partial`), 'half');
    const release = await holdLayers([`sha256:${'b'.repeat(64)}`]); // a pull of ours still running

    const r = await pruneImages();
    expect(r.images).toEqual(['stk.test/spare:1']);
    expect(r.layers).toEqual([spare.layers[0]]);
    expect(r.leftovers).toBe(2);
    expect(layerNames()).toEqual([hex(used.layers[0]!), 'b'.repeat(64)].sort());
    expect(await listImages()).toEqual([]);
    expect(fs.readdirSync(blobTmpDir()).filter((n) => !n.startsWith('hold-'))).toEqual([]);

    await release();
    expect((await pruneImages()).layers).toEqual([`sha256:${'b'.repeat(64)}`]);
  });

  it('never removes an image a stack uses', async () => {
    const r = await pruneImages();
    expect(r.images).toEqual(['stk.test/spare:1']);
    expect((await listImages()).map((i) => i.ref)).toEqual(['stk.test/used:1']);
    expect(layerNames()).toEqual([hex(used.layers[0]!)]);
  });
});

describe('image prune of kept blobs and the build cache', () => {
  const cacheDir = () => path.join(paths.imagesDir(), 'build-cache');
  const mountsDir = () => path.join(paths.imagesDir(), 'cache-mounts');
  const blobNames = () => fs.readdirSync(path.dirname(paths.blobFile(used.id))).sort();
  const entry = (name: string, body: unknown) => {
    fs.mkdirSync(cacheDir(), { recursive: true });
    fs.writeFileSync(path.join(cacheDir(), `${name}.json`), JSON.stringify(body));
  };

  it("removes the blobs of pruned images and stray ones, keeps the used image's; drops cache entries whose layer is gone", async () => {
    const stray = `sha256:${'d'.repeat(64)}`;
    fs.writeFileSync(paths.blobFile(stray), 'nothing names me');
    const deadTmp = `${paths.blobFile(stray)}.${spawnSync(process.execPath, ['-e', '0']).pid}.beef.tmp`;
    fs.writeFileSync(deadTmp, 'a writer that died');
    entry('live', { layer: { digest: used.layers[0], diffId: used.layers[0] } });
    entry('gone', { layer: { digest: spare.layers[0], diffId: spare.layers[0] } });
    entry('empty', {});
    entry('broken', 'not an entry');
    fs.mkdirSync(path.join(mountsDir(), 'e'.repeat(64)), { recursive: true });

    const r = await pruneImages();
    expect(r.images).toEqual(['stk.test/spare:1']);
    expect(r.blobs.sort()).toEqual([spare.manifest!, spare.id, spare.layers[0]!, stray].sort());
    expect(blobNames()).toEqual([used.manifest!, used.id, used.layers[0]!].map(hex).sort());
    expect(r.cacheEntries).toBe(2);
    expect(fs.readdirSync(cacheDir()).sort()).toEqual(['empty.json', 'live.json']);
    expect(r.cacheMounts).toBe(0); // cache mounts only go with --all
    expect(fs.readdirSync(mountsDir())).toEqual(['e'.repeat(64)]);
  });

  it('--all removes every build-cache entry and cache mount as well', async () => {
    entry('live', { layer: { digest: used.layers[0], diffId: used.layers[0] } });
    fs.mkdirSync(path.join(mountsDir(), 'e'.repeat(64), 'apt'), { recursive: true });
    const r = await pruneImages({ all: true });
    expect(r.cacheEntries).toBe(1);
    expect(r.cacheMounts).toBe(1);
    expect(fs.readdirSync(cacheDir())).toEqual([]);
    expect(fs.readdirSync(mountsDir())).toEqual([]);
    expect(blobNames()).toEqual([used.manifest!, used.id, used.layers[0]!].map(hex).sort()); // still used
  });

  it('leaves layers, blobs, the build cache and cache mounts alone while a build runs', async () => {
    const stray = `sha256:${'d'.repeat(64)}`;
    const justCommitted = `sha256:${'c'.repeat(64)}`;
    fs.mkdirSync(paths.layerDir(justCommitted), { recursive: true }); // a step's layer, in no image yet
    fs.writeFileSync(paths.blobFile(stray), 'a config the running build just wrote');
    fs.mkdirSync(path.join(mountsDir(), 'e'.repeat(64)), { recursive: true });
    fs.mkdirSync(path.join(blobTmpDir(), `build-${process.pid}-cafe`), { recursive: true });
    const r = await pruneImages({ all: true });
    expect(r.buildRunning).toBe(true);
    expect(r.images).toEqual(['stk.test/spare:1']);
    expect(fs.existsSync(paths.blobFile(stray))).toBe(true);
    expect(fs.existsSync(paths.layerDir(justCommitted))).toBe(true);
    expect(fs.readdirSync(mountsDir())).toEqual(['e'.repeat(64)]);
  });
});
