// The reader the reference comparison stands on: small hand-made layers with whiteouts, an
// opaque folder, a folder replaced by a file, a hard link, owners and modes, read from tars
// and from the same layers unpacked by stack into overlay form, must give one tree; and
// the diff must name each difference.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { unpackLayer } from '../../../../images/unpack-layer.js';
import { packTar, type TarItem } from '../../../support/tar-pack.js';
import { describeDifference, diffImages, unexplained, type ComparableImage } from './compare-images.js';
import { comparableConfig } from './image-config.js';
import { treeFromLayerTars, type ImageTree } from './image-tree.js';
import { treeFromOverlayLayers } from './overlay-tree.js';

const LOWER: TarItem[] = [
  { name: 'etc/', type: 'directory', mode: 0o755 },
  { name: 'etc/passwd', body: 'root:x:0:0\n', mode: 0o644 },
  { name: 'etc/gone', body: 'x', mode: 0o644 },
  { name: 'cache/', type: 'directory', mode: 0o755 },
  { name: 'cache/old', body: 'old', mode: 0o600 },
  { name: 'cache/sub/', type: 'directory', mode: 0o700 },
  { name: 'was-dir/', type: 'directory', mode: 0o755 },
  { name: 'was-dir/child', body: 'c', mode: 0o644 },
  { name: 'bin/', type: 'directory', mode: 0o755 },
  { name: 'bin/tool', body: '#!/bin/sh\n', mode: 0o4755, uid: 0, gid: 0 },
];
const UPPER: TarItem[] = [
  { name: 'etc/', type: 'directory', mode: 0o750, uid: 0, gid: 50 },
  { name: 'etc/.wh.gone' },
  { name: 'cache/', type: 'directory', mode: 0o755 },
  { name: 'cache/.wh..wh..opq' },
  { name: 'cache/new', body: 'new', mode: 0o640, uid: 1000, gid: 1000 },
  { name: 'was-dir', body: 'now a file', mode: 0o644 },
  { name: 'bin/alias', type: 'link', linkname: 'bin/tool2' },
  { name: 'bin/tool2', body: 'two', mode: 0o755 },
  { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
];

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-imgtree-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The hard link must come after its target in a tar: put it last. */
const tarOf = async (items: TarItem[]) =>
  packTar([...items.filter((i) => i.type !== 'link'), ...items.filter((i) => i.type === 'link')]);

async function fromTars(...layers: TarItem[][]): Promise<ImageTree> {
  const tars = await Promise.all(layers.map(tarOf));
  return treeFromLayerTars(tars.map((t) => () => Readable.from([t])));
}

describe('image tree from layer tars', () => {
  it('applies whiteouts, opaque folders, replacements, hard links, owners and modes', async () => {
    const tree = await fromTars(LOWER, UPPER);
    expect(tree.has('/etc/gone')).toBe(false);
    expect(tree.get('/etc')).toEqual({ type: 'dir', mode: '0750', uid: 0, gid: 50 });
    expect(tree.get('/etc/passwd')).toMatchObject({ type: 'file', size: 11 });
    expect(tree.has('/cache/old')).toBe(false);
    expect(tree.has('/cache/sub')).toBe(false);
    expect(tree.get('/cache/new')).toMatchObject({ mode: '0640', uid: 1000, gid: 1000, size: 3 });
    expect(tree.get('/was-dir')).toMatchObject({ type: 'file', size: 10 });
    expect(tree.has('/was-dir/child')).toBe(false);
    expect(tree.get('/bin/tool')).toMatchObject({ mode: '4755' });
    expect(tree.get('/bin/alias')).toEqual(tree.get('/bin/tool2'));
    expect(tree.get('/bin/sh')).toMatchObject({ type: 'symlink', target: 'busybox' });
  });

  it('gives the same tree from the layers unpacked by stack in overlay form', async () => {
    const dirs: string[] = [];
    for (const [i, items] of [LOWER, UPPER].entries()) {
      const blob = path.join(tmp, `layer${i}.tar`);
      fs.writeFileSync(blob, await tarOf(items));
      dirs.push(path.join(tmp, 'layers', `l${i}`));
      await unpackLayer(blob, dirs[i]!);
    }
    const overlay = await treeFromOverlayLayers(dirs);
    const tars = await fromTars(LOWER, UPPER);
    expect(Object.fromEntries(overlay)).toEqual(Object.fromEntries(tars));
  });
});

describe('diffImages', () => {
  const img = async (items: TarItem[], config: Record<string, unknown>): Promise<ComparableImage> => ({
    tree: await fromTars(items),
    config: comparableConfig({ config }),
  });

  it('names each differing path, field and config value', async () => {
    const ref = await img(
      [
        { name: 'a', body: 'same', mode: 0o644 },
        { name: 'b', body: 'one', mode: 0o644 },
        { name: 'only-ref', body: '' },
      ],
      { Env: ['A=1'], ExposedPorts: { '80/tcp': {} }, Labels: { x: '1', y: '2' } },
    );
    const mine = await img(
      [
        { name: 'a', body: 'same', mode: 0o600 },
        { name: 'b', body: 'two', mode: 0o644, uid: 7 },
        { name: 'only-stack', body: '' },
      ],
      { Env: ['A=1'], ExposedPorts: { '80/tcp': {} }, Labels: { y: '2', x: '1' }, Cmd: [], Volumes: null },
    );
    const diffs = diffImages(ref, mine).map(describeDifference);
    expect(diffs).toEqual([
      '/a: mode "0644" (reference) vs "0600" (stack)',
      '/b: uid 0 (reference) vs 7 (stack)',
      '/b: text "one" (reference) vs "two" (stack)',
      '/only-ref: only in reference',
      '/only-stack: only in stack',
    ]);
  });

  it('names a content difference by hash when the file is not small text', async () => {
    const big = (c: string) => img([{ name: 'big', body: c.repeat(300) }], {});
    expect(diffImages(await big('a'), await big('b')).map(describeDifference)).toEqual([
      `/big: sha256 "${sha('a'.repeat(300))}" (reference) vs "${sha('b'.repeat(300))}" (stack)`,
    ]);
  });

  it('lets the allowed table explain a difference, per fixture', async () => {
    const ref = await img([{ name: 'run/stub', body: '' }], {});
    const mine = await img([], {});
    const diffs = diffImages(ref, mine);
    const allowed = [{ fixtures: ['f1'], where: /^\/run\//, what: 'only in reference', reason: 'mount stub' }];
    expect(unexplained('f1', diffs, allowed)).toEqual([]);
    expect(unexplained('f2', diffs, allowed)).toHaveLength(1);
  });
});
