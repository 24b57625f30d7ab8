// A build step's upper directory → an OCI layer, and back through stack's own unpacker:
// the round trip must give the same tree, overlay whiteouts and opaque folders included.
import fs from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layerFromUpper, smallLayer, streamedLayer } from '../../../images/build/layer-from-upper.js';
import { hostTreeDir } from '../../../images/tree-tar.js';
import { unpackLayer } from '../../../images/unpack-layer.js';
import { lgetxattr, lsetxattr, mknod } from '../../../executor/host/linux/libc.js';

const S_IFCHR = 0o020000;
const S_IFIFO = 0o010000;

let tmp: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-layer-'));
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

/** An upper dir as a RUN step leaves it: new and changed files, a deletion, a replaced folder. */
async function makeUpper(dir: string): Promise<void> {
  await fs.mkdir(path.join(dir, 'etc'), { recursive: true });
  await fs.writeFile(path.join(dir, 'etc/app.conf'), 'key=value\n', { mode: 0o640 });
  await fs.chown(path.join(dir, 'etc/app.conf'), 1000, 1001);
  await fs.mkdir(path.join(dir, 'bin'));
  await fs.writeFile(path.join(dir, 'bin/tool'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
  await fs.link(path.join(dir, 'bin/tool'), path.join(dir, 'bin/tool-alias'));
  await fs.symlink('tool', path.join(dir, 'bin/link'));
  mknod(path.join(dir, 'removed.txt'), S_IFCHR | 0o000, 0, 0); // overlay's whiteout
  await fs.mkdir(path.join(dir, 'var/cache'), { recursive: true });
  lsetxattr(path.join(dir, 'var/cache'), 'trusted.overlay.opaque', 'y');
  await fs.writeFile(path.join(dir, 'var/cache/fresh'), 'new\n');
  mknod(path.join(dir, 'pipe'), S_IFIFO | 0o600, 0, 0);
}

async function tarEntries(file: string): Promise<string[]> {
  const extract = tar.extract();
  const names: string[] = [];
  createReadStream(file).pipe(createGunzip()).pipe(extract);
  for await (const entry of extract) {
    const h = entry.header;
    names.push(`${h.type} ${h.name}${h.linkname ? ` -> ${h.linkname}` : ''}`);
    entry.resume();
  }
  return names;
}

describe('layer from an upper directory', () => {
  it('packs a small layer in memory to the very bytes the streamed packing writes', async () => {
    const upper = path.join(tmp, 'upper');
    await makeUpper(upper);
    // What takes tar-stream's other paths: PAX for a long name without a split, a non-ASCII
    // name and a long link target; the ustar prefix for a long path; mode 0; a big id.
    const deep = path.join(upper, 'd'.repeat(90), 'e'.repeat(90));
    await fs.mkdir(deep, { recursive: true });
    await fs.writeFile(path.join(deep, 'f'.repeat(60)), 'deep\n');
    await fs.writeFile(path.join(upper, 'n'.repeat(120)), 'long name\n');
    await fs.writeFile(path.join(upper, 'café.txt'), 'é\n');
    await fs.symlink('t'.repeat(150), path.join(upper, 'far-link'));
    await fs.writeFile(path.join(upper, 'no-mode'), 'x', { mode: 0 });
    await fs.chmod(path.join(upper, 'no-mode'), 0);
    await fs.writeFile(path.join(upper, 'big-owner'), 'y');
    await fs.chown(path.join(upper, 'big-owner'), 3_000_000, 3_000_000);
    await fs.writeFile(path.join(upper, 'sizes'), Buffer.alloc(5000, 7));

    const inMemory = await smallLayer(hostTreeDir(upper), path.join(tmp, 'memory.tar.gz'));
    const streamed = await streamedLayer(hostTreeDir(upper), path.join(tmp, 'streamed.tar.gz'));
    expect(inMemory).toEqual({ ...streamed, file: path.join(tmp, 'memory.tar.gz') });
    expect(await fs.readFile(inMemory!.file)).toEqual(await fs.readFile(streamed.file));
    // And a tree too big for memory is left to the stream.
    await fs.writeFile(path.join(upper, 'huge'), Buffer.alloc(5 * 1024 * 1024, 1));
    expect(await smallLayer(hostTreeDir(upper), path.join(tmp, 'too-big.tar.gz'))).toBeUndefined();
  });

  it('writes sorted entries with OCI whiteouts, hard links and symlinks', async () => {
    const upper = path.join(tmp, 'upper');
    await makeUpper(upper);
    const blob = await layerFromUpper(upper, path.join(tmp, 'layer.tar.gz'));
    expect(await tarEntries(blob.file)).toEqual([
      'directory bin/',
      'symlink bin/link -> tool',
      'file bin/tool',
      'link bin/tool-alias -> bin/tool',
      'directory etc/',
      'file etc/app.conf',
      'fifo pipe',
      'file .wh.removed.txt',
      'directory var/',
      'directory var/cache/',
      'file var/cache/.wh..wh..opq',
      'file var/cache/fresh',
    ]);
    expect(blob.entries).toBe(12);
    expect(blob.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(blob.size).toBe((await fs.stat(blob.file)).size);
  });

  it('gives the same digests for the same changes', async () => {
    const upper = path.join(tmp, 'upper');
    await makeUpper(upper);
    const a = await layerFromUpper(upper, path.join(tmp, 'a.tar.gz'));
    const b = await layerFromUpper(upper, path.join(tmp, 'b.tar.gz'));
    expect([b.digest, b.diffId]).toEqual([a.digest, a.diffId]);
  });

  it('unpacks with stack’s own unpacker into the same tree, whiteouts and opaque folders included', async () => {
    const upper = path.join(tmp, 'upper');
    await makeUpper(upper);
    const blob = await layerFromUpper(upper, path.join(tmp, 'layer.tar.gz'));
    const dest = path.join(tmp, 'layers', 'l1');
    expect(await unpackLayer(blob.file, dest, { diffId: blob.diffId })).toBe(blob.diffId);

    const conf = await fs.lstat(path.join(dest, 'etc/app.conf'));
    expect([conf.mode & 0o7777, conf.uid, conf.gid]).toEqual([0o640, 1000, 1001]);
    expect(await fs.readFile(path.join(dest, 'etc/app.conf'), 'utf8')).toBe('key=value\n');
    const [tool, alias] = await Promise.all(['bin/tool', 'bin/tool-alias'].map((p) => fs.lstat(path.join(dest, p))));
    expect(alias.ino).toBe(tool.ino);
    expect(await fs.readlink(path.join(dest, 'bin/link'))).toBe('tool');
    const removed = await fs.lstat(path.join(dest, 'removed.txt'));
    expect([removed.isCharacterDevice(), removed.rdev]).toEqual([true, 0]);
    expect(lgetxattr(path.join(dest, 'var/cache'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect((await fs.lstat(path.join(dest, 'pipe'))).isFIFO()).toBe(true);
  });

  it('writes an empty layer for a step that changed nothing', async () => {
    const upper = path.join(tmp, 'upper');
    await fs.mkdir(upper);
    expect((await layerFromUpper(upper, path.join(tmp, 'empty.tar.gz'))).entries).toBe(0);
  });
});
