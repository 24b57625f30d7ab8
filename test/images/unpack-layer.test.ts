import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiffIdError, LayerSizeError, LayerUnpackError, unpackLayer } from '../../images/unpack-layer.js';
import { lgetxattr } from '../../executor/host/linux/libc.js';

type Item = Partial<tar.Header> & { name: string; body?: string };

async function makeTar(items: Item[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const { body, ...h } of items) {
    await new Promise<void>((resolve, reject) =>
      pack.entry({ mtime: new Date(1_000_000_000_000), ...h }, body ?? '', (e) => (e ? reject(e) : resolve())),
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

let tmp: string;
let dest: string;
beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-unpack-'));
  dest = path.join(tmp, 'layers', 'l1');
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

async function unpack(items: Item[], gzip = false): Promise<void> {
  const raw = await makeTar(items);
  const blob = path.join(tmp, 'blob');
  await fs.writeFile(blob, gzip ? zlib.gzipSync(raw) : raw);
  await unpackLayer(blob, dest);
}

async function rejects(items: Item[], reason: RegExp): Promise<LayerUnpackError> {
  const err = await unpack(items).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LayerUnpackError);
  expect((err as LayerUnpackError).reason).toMatch(reason);
  // Nothing left behind: no final dir, no partial sibling.
  expect(await fs.readdir(path.join(tmp, 'layers'))).toEqual([]);
  return err as LayerUnpackError;
}

describe('unpackLayer', () => {
  const sample: Item[] = [
    { name: './', type: 'directory', mode: 0o755 },
    { name: './bin/', type: 'directory', mode: 0o755 },
    { name: './bin/tool', body: '#!/bin/sh\n', mode: 0o4755, uid: 1000, gid: 1001 },
    { name: './bin/alias', type: 'symlink', linkname: 'tool' },
    { name: './bin/hard', type: 'link', linkname: './bin/tool' },
    { name: 'etc/conf', body: 'x=1\n', mode: 0o640 },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    { name: 'dev/fifo', type: 'fifo', mode: 0o600 },
  ];

  for (const gzip of [false, true]) {
    it(`unpacks a ${gzip ? 'gzip' : 'plain'} tar with modes, owners, times, links and devices`, async () => {
      await unpack(sample, gzip);
      const tool = await fs.lstat(path.join(dest, 'bin/tool'));
      expect(readFileSync(path.join(dest, 'bin/tool'), 'utf8')).toBe('#!/bin/sh\n');
      expect(tool.mode & 0o7777).toBe(0o4755);
      expect([tool.uid, tool.gid]).toEqual([1000, 1001]);
      expect(tool.mtimeMs).toBe(1_000_000_000_000);
      expect(await fs.readlink(path.join(dest, 'bin/alias'))).toBe('tool');
      expect((await fs.lstat(path.join(dest, 'bin/hard'))).ino).toBe(tool.ino);
      expect((await fs.lstat(path.join(dest, 'etc/conf'))).mode & 0o7777).toBe(0o640);
      const tmpDir = await fs.lstat(path.join(dest, 'tmp'));
      expect(tmpDir.mode & 0o7777).toBe(0o1777);
      expect(tmpDir.mtimeMs).toBe(1_000_000_000_000);
      const dev = await fs.lstat(path.join(dest, 'dev/null'));
      expect(dev.isCharacterDevice()).toBe(true);
      expect(dev.rdev).toBe((1 << 8) | 3);
      expect((await fs.lstat(path.join(dest, 'dev/fifo'))).isFIFO()).toBe(true);
      expect(await fs.readdir(path.join(tmp, 'layers'))).toEqual(['l1']);
    });
  }

  it('converts whiteouts and opaque markers to the overlayfs form', async () => {
    await unpack(
      [
        { name: 'etc/', type: 'directory' },
        { name: 'etc/.wh.motd', body: '' },
        { name: 'var/lib/', type: 'directory' },
        { name: 'var/lib/.wh..wh..opq', body: '' },
        { name: 'var/lib/keep', body: 'k' },
      ],
      true,
    );
    const wh = await fs.lstat(path.join(dest, 'etc/motd'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    await expect(fs.lstat(path.join(dest, 'etc/.wh.motd'))).rejects.toThrow(/ENOENT/);
    expect(lgetxattr(path.join(dest, 'var/lib'), 'trusted.overlay.opaque')?.toString()).toBe('y');
    expect(lgetxattr(path.join(dest, 'etc'), 'trusted.overlay.opaque')).toBeNull();
    await expect(fs.lstat(path.join(dest, 'var/lib/.wh..wh..opq'))).rejects.toThrow(/ENOENT/);
    expect(readFileSync(path.join(dest, 'var/lib/keep'), 'utf8')).toBe('k');
  });

  it('rejects a path with ..', async () => {
    const err = await rejects(
      [
        { name: 'ok', body: '1' },
        { name: '../evil', body: 'x' },
      ],
      /climbs out/,
    );
    expect(err.entry).toBe('../evil');
    await expect(fs.lstat(path.join(tmp, 'layers', 'evil'))).rejects.toThrow(/ENOENT/);
    await expect(fs.lstat(path.join(tmp, 'evil'))).rejects.toThrow(/ENOENT/);
  });

  it('rejects a path with .. in the middle', async () => {
    await rejects([{ name: 'a/../../evil', body: 'x' }], /climbs out/);
  });

  it('puts an absolute name inside the layer, as docker does, never at the absolute path', async () => {
    const name = path.join(tmp, 'abs');
    await unpack([
      { name, body: 'x' },
      { name: '/../../top', body: 't' },
      { name: 'a/../b', body: 'b' },
    ]);
    await expect(fs.lstat(name)).rejects.toThrow(/ENOENT/);
    expect(readFileSync(path.join(dest, name), 'utf8')).toBe('x');
    expect(readFileSync(path.join(dest, 'top'), 'utf8')).toBe('t');
    expect(readFileSync(path.join(dest, 'b'), 'utf8')).toBe('b');
    await expect(fs.lstat(path.join(tmp, 'top'))).rejects.toThrow(/ENOENT/);
  });

  it("keeps symlinks as they are, absolute or pointing above the layer, as docker does (they resolve in the container's root)", async () => {
    await unpack([
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'bin/ok', type: 'symlink', linkname: '../etc/x' },
      { name: 'x', type: 'symlink', linkname: '../../../../etc' },
      { name: 'a/up', type: 'symlink', linkname: '../../etc/passwd' },
    ]);
    expect(await fs.readlink(path.join(dest, 'bin/sh'))).toBe('/bin/busybox');
    expect(await fs.readlink(path.join(dest, 'bin/ok'))).toBe('../etc/x');
    expect(await fs.readlink(path.join(dest, 'x'))).toBe('../../../../etc');
    expect(await fs.readlink(path.join(dest, 'a/up'))).toBe('../../etc/passwd');
  });

  it('writes nothing through a symlink that points above the layer, and no hardlink reaches through it', async () => {
    const outside = path.join(tmp, `outside-${randomBytes(4).toString('hex')}`);
    await fs.mkdir(outside);
    // dest is tmp/layers/l1: from its root, ../../<name> is `outside`.
    const link = { name: 'x', type: 'symlink' as const, linkname: `../../${path.basename(outside)}` };
    await rejects([link, { name: 'x/planted', body: 'p' }], /through links/);
    await rejects([link, { name: 'x/sub/planted', type: 'directory' }], /through links/);
    await rejects([link, { name: 'h', type: 'link', linkname: 'x/planted' }], /through a link/);
    expect(await fs.readdir(outside)).toEqual([]);
  });

  it('stops at the size cap with a clear error, for a huge header and for a decompression bomb', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(4 << 20)); // 4 MiB of zeros in a few KiB
    const blob = path.join(tmp, 'bomb');
    await fs.writeFile(blob, zlib.gzipSync(await makeTar([{ name: 'z', body: Buffer.alloc(3 << 20).toString() }])));
    await expect(unpackLayer(blob, dest, { maxBytes: 1 << 20 })).rejects.toThrow(/over the 1048576-byte layer limit/);
    await fs.writeFile(blob, bomb);
    await expect(unpackLayer(blob, dest, { maxBytes: 1 << 20 })).rejects.toThrow(LayerSizeError);
    expect(await fs.readdir(path.join(tmp, 'layers'))).toEqual([]);
  });

  it('returns the diff_id and refuses a layer whose content does not match the expected one', async () => {
    const raw = await makeTar([{ name: 'f', body: 'x' }]);
    const blob = path.join(tmp, 'blob');
    await fs.writeFile(blob, zlib.gzipSync(raw));
    const diffId = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    await expect(unpackLayer(blob, dest, { diffId: `sha256:${'0'.repeat(64)}` })).rejects.toThrow(DiffIdError);
    expect(await fs.readdir(path.join(tmp, 'layers'))).toEqual([]);
    expect(await unpackLayer(blob, dest, { diffId })).toBe(diffId);
    expect(readFileSync(path.join(dest, 'f'), 'utf8')).toBe('x');
  });

  it('unpacks a zstd layer, and refuses a truncated one', async () => {
    const raw = await makeTar([
      { name: 'z/file', body: 'zstd works\n' },
      { name: 'z/big', body: randomBytes(300_000).toString('hex') },
    ]);
    const blob = path.join(tmp, 'blob.zst');
    await fs.writeFile(blob, execFileSync('zstd', ['-q', '-c'], { input: raw, maxBuffer: 16 << 20 }));
    const diffId = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    expect(await unpackLayer(blob, dest, { diffId })).toBe(diffId);
    expect(readFileSync(path.join(dest, 'z/file'), 'utf8')).toBe('zstd works\n');
    const data = await fs.readFile(blob);
    await fs.writeFile(blob, data.subarray(0, data.length >> 1));
    const other = path.join(tmp, 'layers', 'l2');
    await expect(unpackLayer(blob, other)).rejects.toThrow(/zstd|end/i);
    expect(await fs.readdir(path.join(tmp, 'layers'))).toEqual(['l1']);
  });

  it('never writes through a symlink from the layer', async () => {
    const outside = path.join(tmp, 'outside');
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'passwd'), 'original');
    const err = await rejects(
      [
        { name: 'link', type: 'symlink', linkname: outside },
        { name: 'link/passwd', body: 'pwned' },
      ],
      /symlink/,
    );
    expect(err.entry).toBe('link/passwd');
    expect(readFileSync(path.join(outside, 'passwd'), 'utf8')).toBe('original');
    expect(await fs.readdir(outside)).toEqual(['passwd']);
  });

  it('rejects link -> /etc followed by link/passwd, /etc untouched', async () => {
    const before = await fs.lstat('/etc/passwd');
    await rejects(
      [
        { name: 'link', type: 'symlink', linkname: '/etc' },
        { name: 'link/passwd', body: 'pwned' },
      ],
      /symlink/,
    );
    const after = await fs.lstat('/etc/passwd');
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.size).toBe(before.size);
  });

  it('rejects a hardlink that leaves the layer', async () => {
    await rejects([{ name: 'x', type: 'link', linkname: '../../x' }], /outside the layer/);
    // An absolute target means the layer's own /etc/passwd (docker joins it to the layer root).
    await rejects([{ name: 'x', type: 'link', linkname: '/etc/passwd' }], /not unpacked yet/);
    await unpack([
      { name: 'etc/passwd', body: 'p' },
      { name: 'x', type: 'link', linkname: '/etc/passwd' },
    ]);
    expect((await fs.lstat(path.join(dest, 'x'))).ino).toBe((await fs.lstat(path.join(dest, 'etc/passwd'))).ino);
  });

  it('rejects a hardlink through a symlink or to something not unpacked yet', async () => {
    await rejects(
      [
        { name: 'l', type: 'symlink', linkname: '/etc' },
        { name: 'x', type: 'link', linkname: 'l/passwd' },
      ],
      /through a link/,
    );
    await rejects(
      [
        { name: 'x', type: 'link', linkname: 'later' },
        { name: 'later', body: '1' },
      ],
      /not unpacked yet/,
    );
  });

  it('replaces an earlier entry of the same name without following it', async () => {
    await unpack([
      { name: 'f', type: 'symlink', linkname: '/etc/passwd' },
      { name: 'f', body: 'mine' },
    ]);
    expect((await fs.lstat(path.join(dest, 'f'))).isFile()).toBe(true);
    expect(readFileSync(path.join(dest, 'f'), 'utf8')).toBe('mine');
  });

  for (const gzip of [false, true]) {
    it(`leaves no partial layer when a ${gzip ? 'gzip' : 'plain'} blob is truncated`, async () => {
      const raw = await makeTar([
        { name: 'a', body: 'a' },
        { name: 'b', body: randomBytes(20_000).toString('base64') },
      ]);
      const data = gzip ? zlib.gzipSync(raw) : raw;
      const blob = path.join(tmp, 'blob');
      await fs.writeFile(blob, data.subarray(0, 6000));
      await expect(unpackLayer(blob, dest)).rejects.toThrow(/end of|unexpected/i);
      expect(await fs.readdir(path.join(tmp, 'layers'))).toEqual([]);
    });
  }
});
