// COPY and WORKDIR into a step's upper folder over an image's layers, by docker's rules.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { contextChecksum, openContext, type ReadFiles } from '../../../images/build/build-context.js';
import { copyFromContext, makeWorkdir } from '../../../images/build/copy-step.js';
import { lookup, resolveInRoot } from '../../../images/build/layer-stack.js';
import { lsetxattr, mknod } from '../../../executor/host/linux/libc.js';

let tmp: string;
let ctxDir: string;
let upper: string;
let base: string;
let top: string;

beforeEach(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'stk-copy-'));
  [ctxDir, upper, base, top] = ['ctx', 'upper', 'base', 'top'].map((d) => path.join(tmp, d));
  for (const d of [ctxDir, upper, base, top]) await fs.mkdir(d);
  // The image: /srv (0750, owned 10:20) with a file, /app -> /srv, /etc/old deleted by `top`, /cache made opaque by `top`.
  await fs.mkdir(path.join(base, 'srv'), { mode: 0o750 });
  await fs.chown(path.join(base, 'srv'), 10, 20);
  await fs.writeFile(path.join(base, 'srv/existing'), 'x');
  await fs.symlink('/srv', path.join(base, 'app'));
  await fs.mkdir(path.join(base, 'etc'));
  await fs.writeFile(path.join(base, 'etc/old'), 'old');
  await fs.mkdir(path.join(base, 'cache'));
  await fs.writeFile(path.join(base, 'cache/stale'), 'stale');
  await fs.mkdir(path.join(top, 'etc'));
  mknod(path.join(top, 'etc/old'), 0o020000, 0, 0);
  await fs.mkdir(path.join(top, 'cache'));
  lsetxattr(path.join(top, 'cache'), 'trusted.overlay.opaque', 'y');
  // The context.
  await fs.mkdir(path.join(ctxDir, 'src/lib'), { recursive: true });
  await fs.writeFile(path.join(ctxDir, 'src/main.js'), 'main', { mode: 0o640 });
  await fs.writeFile(path.join(ctxDir, 'src/lib/util.js'), 'util');
  await fs.writeFile(path.join(ctxDir, 'one.txt'), 'one');
  await fs.writeFile(path.join(ctxDir, 'Dockerfile'), 'FROM scratch');
});
afterEach(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

const layers = () => [top, base];
const ctx = () => openContext(ctxDir, path.join(ctxDir, 'Dockerfile'));

describe('the image root seen through its layers', () => {
  it('hides whiteouts and what is below an opaque folder, and follows links inside the root', () => {
    expect(lookup(layers(), 'etc/old').kind).toBe('missing');
    expect(lookup(layers(), 'cache/stale').kind).toBe('missing');
    expect(lookup(layers(), 'srv/existing').kind).toBe('found');
    expect(resolveInRoot(layers(), 'app/new')).toBe('srv/new');
    expect(resolveInRoot(layers(), 'app/../../../etc')).toBe('etc');
  });
});

describe('COPY into the upper folder', () => {
  it('copies a folder’s contents through an image symlink, keeping modes, owned by root', async () => {
    await copyFromContext(await ctx(), ['src'], { upper, layers: layers(), dest: '/app/' });
    const main = await fs.lstat(path.join(upper, 'srv/main.js'));
    expect([main.mode & 0o777, main.uid, main.gid]).toEqual([0o640, 0, 0]);
    expect(await fs.readFile(path.join(upper, 'srv/lib/util.js'), 'utf8')).toBe('util');
    // /srv came up from below with its owner and mode, as overlayfs copies up.
    const srv = await fs.lstat(path.join(upper, 'srv'));
    expect([srv.mode & 0o777, srv.uid, srv.gid]).toEqual([0o750, 10, 20]);
  });

  it('puts one file at the destination path, or inside an existing folder, with --chown and --chmod', async () => {
    const c = await ctx();
    await copyFromContext(c, ['one.txt'], {
      upper,
      layers: layers(),
      dest: '/opt/renamed.txt',
      owner: { uid: 1000, gid: 1000 },
      mode: 0o600,
    });
    const st = await fs.lstat(path.join(upper, 'opt/renamed.txt'));
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o600, 1000, 1000]);
    await copyFromContext(c, ['one.txt'], { upper, layers: layers(), dest: '/srv' });
    expect(await fs.readFile(path.join(upper, 'srv/one.txt'), 'utf8')).toBe('one');
  });

  it('copies the files its cache key read as they were read, though they changed since', async () => {
    const c = await ctx();
    const read: ReadFiles = new Map();
    await contextChecksum(c, ['src'], read);
    await fs.writeFile(path.join(ctxDir, 'src/main.js'), 'edited meanwhile');
    await fs.chmod(path.join(ctxDir, 'src/main.js'), 0o755);
    await copyFromContext(c, ['src', 'one.txt'], { upper, layers: layers(), dest: '/opt/', read });
    expect(await fs.readFile(path.join(upper, 'opt/main.js'), 'utf8')).toBe('main');
    expect((await fs.lstat(path.join(upper, 'opt/main.js'))).mode & 0o777).toBe(0o640);
    // A file the checksum did not read comes from the context folder.
    expect(await fs.readFile(path.join(upper, 'opt/one.txt'), 'utf8')).toBe('one');
  });

  it('replaces what the upper folder has at a file’s path, and makes a folder over a file', async () => {
    await fs.mkdir(path.join(upper, 'opt/one.txt/sub'), { recursive: true });
    await fs.writeFile(path.join(upper, 'opt/src'), 'a file where the folder goes');
    await copyFromContext(await ctx(), ['one.txt'], { upper, layers: layers(), dest: '/opt/' });
    await copyFromContext(await ctx(), ['src'], { upper, layers: layers(), dest: '/opt/src' });
    expect(await fs.readFile(path.join(upper, 'opt/one.txt'), 'utf8')).toBe('one');
    expect(await fs.readFile(path.join(upper, 'opt/src/lib/util.js'), 'utf8')).toBe('util');
  });

  it('writes a file its cache key read over a link, a folder or a file in its way, never through the link', async () => {
    const outside = path.join(tmp, 'outside.txt');
    await fs.writeFile(outside, 'outside');
    await fs.mkdir(path.join(upper, 'opt/lib/util.js/deep'), { recursive: true });
    await fs.symlink(outside, path.join(upper, 'opt/main.js'));
    const c = await ctx();
    const read: ReadFiles = new Map();
    await contextChecksum(c, ['src'], read);
    const mtime = new Date('2020-01-02T03:04:05.678Z');
    await fs.utimes(path.join(ctxDir, 'src/main.js'), mtime, mtime);
    read.set(path.join(ctxDir, 'src/main.js'), {
      ...read.get(path.join(ctxDir, 'src/main.js'))!,
      stat: await fs.lstat(path.join(ctxDir, 'src/main.js')),
    });
    await copyFromContext(c, ['src'], { upper, layers: layers(), dest: '/opt/', read, owner: { uid: 7, gid: 8 } });
    expect(await fs.readFile(outside, 'utf8')).toBe('outside');
    const main = await fs.lstat(path.join(upper, 'opt/main.js'));
    expect([main.isFile(), main.mode & 0o7777, main.uid, main.gid, main.mtime.getTime()]).toEqual([
      true,
      0o640,
      7,
      8,
      mtime.getTime(),
    ]);
    expect(await fs.readFile(path.join(upper, 'opt/main.js'), 'utf8')).toBe('main');
    expect(await fs.readFile(path.join(upper, 'opt/lib/util.js'), 'utf8')).toBe('util');
  });

  it('lets a later source put a file where an earlier one made a folder, and a folder there again', async () => {
    await fs.mkdir(path.join(ctxDir, 'x1/d'), { recursive: true });
    await fs.writeFile(path.join(ctxDir, 'x1/d/f'), 'f');
    await fs.mkdir(path.join(ctxDir, 'x2'));
    await fs.writeFile(path.join(ctxDir, 'x2/d'), 'a file named d');
    await fs.mkdir(path.join(ctxDir, 'x3/d'), { recursive: true });
    await fs.writeFile(path.join(ctxDir, 'x3/d/g'), 'g');
    const c = await ctx();
    const read: ReadFiles = new Map();
    await contextChecksum(c, ['x1', 'x2', 'x3'], read);
    await copyFromContext(c, ['x1', 'x2'], { upper, layers: layers(), dest: '/out/', read });
    expect(await fs.readFile(path.join(upper, 'out/d'), 'utf8')).toBe('a file named d');
    await fs.rm(path.join(upper, 'out'), { recursive: true });
    await copyFromContext(c, ['x1', 'x2', 'x3'], { upper, layers: layers(), dest: '/out/', read });
    expect(await fs.readdir(path.join(upper, 'out/d'))).toEqual(['g']);
  });

  it('makes WORKDIR folders only when the image lacks them', async () => {
    await makeWorkdir(upper, layers(), '/srv');
    expect(await fs.readdir(upper)).toEqual([]);
    await makeWorkdir(upper, layers(), '/app/work/dir');
    expect((await fs.lstat(path.join(upper, 'srv/work/dir'))).isDirectory()).toBe(true);
  });
});
