// Privileged: develop.watch's sync writes host files into a real running container
// (Host['containers'].sync): through its own view of its filesystem, keeping modes, owned
// by the container's user, removing what was removed; and never outside the container,
// whatever symlinks the container put where the sync writes.

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxFixture } from '../support/busybox-containers.js';
import { ContainerSyncError } from '../../model/container-sync.js';

const fx = busyboxFixture('sync');
const src = path.join(fx.tmp, 'src');
/** A host folder the attacks aim at: nothing may appear in it or leave it. */
const victim = path.join(fx.tmp, 'victim');
let name = '';
let pid = 0;
const inBox = (p: string) => `/proc/${pid}/root${p}`;

beforeAll(async () => {
  fx.buildLayer();
  fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
  fs.mkdirSync(victim);
  fs.writeFileSync(path.join(victim, 'keep'), 'host file');
  const s = fx.spec(['sleep', '1000'], { user: 'app' });
  name = s.name;
  pid = (await fx.start(s)).pid;
});

afterAll(() => fx.cleanupAll());

const write = (rel: string, text: string, mode = 0o644) => {
  fs.writeFileSync(path.join(src, rel), text);
  fs.chmodSync(path.join(src, rel), mode);
};

describe('sync into a running container', () => {
  it('writes files and folders with their modes, owned by the container user', async () => {
    write('index.html', 'hello');
    write('sub/run.sh', '#!/bin/sh\n', 0o750);
    const n = await fx.containers.sync(fx.project, name, {
      copy: [
        { source: path.join(src, 'index.html'), base: src, target: '/www/index.html' },
        { source: path.join(src, 'sub'), base: src, target: '/www/sub' },
        { source: path.join(src, 'sub/run.sh'), base: src, target: '/www/sub/run.sh' },
      ],
      remove: [],
    });
    expect(n).toBe(3);
    expect(fs.readFileSync(inBox('/www/index.html'), 'utf8')).toBe('hello');
    const st = fs.statSync(inBox('/www/sub/run.sh'));
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o750, 1000, 1000]);
    expect(fs.statSync(inBox('/www')).uid).toBe(1000);
    expect(fs.readdirSync(inBox('/www')).sort()).toEqual(['index.html', 'sub']); // no temporary left
  });

  it('replaces a file and removes files and folders', async () => {
    write('index.html', 'changed');
    await fx.containers.sync(fx.project, name, {
      copy: [{ source: path.join(src, 'index.html'), base: src, target: '/www/index.html' }],
      remove: ['/www/sub', '/www/never-was'],
    });
    expect(fs.readFileSync(inBox('/www/index.html'), 'utf8')).toBe('changed');
    expect(fs.existsSync(inBox('/www/sub'))).toBe(false);
  });

  it('a folder the container put on a symlink to a host path receives nothing outside the container', async () => {
    // The container can make any link where the sync writes: absolute, relative, or /proc's.
    fs.symlinkSync(victim, inBox('/www/abs'));
    fs.symlinkSync(`../../../../../../../..${victim}`, inBox('/www/rel'));
    fs.symlinkSync('/proc/1/root/tmp', inBox('/www/magic'));
    fs.symlinkSync('/nowhere', inBox('/www/dangling'));
    fs.mkdirSync(inBox(victim), { recursive: true }); // the container's own folder of that name
    write('evil', 'pwned');
    for (const dir of ['abs', 'rel'])
      await fx.containers.sync(fx.project, name, {
        copy: [{ source: path.join(src, 'evil'), base: src, target: `/www/${dir}/evil` }],
        remove: [],
      });
    for (const dir of ['magic', 'dangling'])
      await expect(
        fx.containers.sync(fx.project, name, {
          copy: [{ source: path.join(src, 'evil'), base: src, target: `/www/${dir}/evil` }],
          remove: [],
        }),
      ).rejects.toBeInstanceOf(ContainerSyncError);
    expect(fs.readdirSync(victim)).toEqual(['keep']);
    // Both links resolve as the container sees them: to its own copy of that path.
    expect(fs.readFileSync(inBox(`${victim}/evil`), 'utf8')).toBe('pwned');
  });

  it('a file the container replaced by a symlink to a host file is replaced, the host file untouched', async () => {
    fs.rmSync(inBox('/www/index.html'));
    fs.symlinkSync(path.join(victim, 'keep'), inBox('/www/index.html'));
    await fx.containers.sync(fx.project, name, {
      copy: [{ source: path.join(src, 'index.html'), base: src, target: '/www/index.html' }],
      remove: [],
    });
    expect(fs.readFileSync(path.join(victim, 'keep'), 'utf8')).toBe('host file');
    expect(fs.lstatSync(inBox('/www/index.html')).isFile()).toBe(true);
  });

  it('a removal through a symlinked folder removes nothing on the host', async () => {
    await fx.containers.sync(fx.project, name, { copy: [], remove: ['/www/abs/keep', '/www/rel/keep', '/www/abs'] });
    expect(fs.readdirSync(victim)).toEqual(['keep']);
    expect(fs.existsSync(inBox('/www/abs'))).toBe(false);
  });

  it('a FIFO the container put as its /etc/passwd makes the sync fail, not hang', async () => {
    const passwd = fs.readFileSync(inBox('/etc/passwd'));
    fs.rmSync(inBox('/etc/passwd'));
    spawnSync('mkfifo', [inBox('/etc/passwd')]);
    try {
      await expect(
        fx.containers.sync(fx.project, name, {
          copy: [{ source: path.join(src, 'index.html'), base: src, target: '/www/index.html' }],
          remove: [],
        }),
      ).rejects.toThrow(/user app is not in the container's files/);
    } finally {
      fs.rmSync(inBox('/etc/passwd'));
      fs.writeFileSync(inBox('/etc/passwd'), passwd);
    }
  });
});

describe('the host side of a sync', () => {
  it('never reads through a link swapped in after the source was looked at (a host secret, a FIFO)', async () => {
    // The fault: the source folder is also bind-mounted into a container, which swaps a file
    // for a link to a host secret between the sync's lstat and its read (found in review).
    // The lstat is made to see the file that was there; the read must not follow the link.
    const secret = path.join(victim, 'secret');
    fs.writeFileSync(secret, 'host secret');
    const source = path.join(src, 'swapped');
    fs.symlinkSync(secret, source);
    const realLstat = fs.lstatSync;
    const spy = vi
      .spyOn(fs, 'lstatSync')
      .mockImplementation(((p: fs.PathLike, o?: fs.StatSyncOptions) =>
        p === source ? realLstat(path.join(victim, 'keep')) : realLstat(p, o)) as typeof fs.lstatSync);
    try {
      await fx.containers.sync(fx.project, name, { copy: [{ source, base: src, target: '/www/swapped' }], remove: [] });
    } finally {
      spy.mockRestore();
    }
    // The secret was not read: at most the link itself went in, as a link (its kind is read
    // from the held entry now, so the lstat's lie no longer matters).
    const there = fs.lstatSync(inBox('/www/swapped'), { throwIfNoEntry: false });
    expect(there?.isFile() ?? false).toBe(false);
    if (there) expect(fs.readlinkSync(inBox('/www/swapped'))).toBe(secret);
  });
});

describe('the host side of a sync: folders on the way', () => {
  it('never reads through a folder of the source swapped for a link to a host folder', async () => {
    // The fault: the source folder is also bind-mounted into a container, which swaps a
    // folder on the way to an edited file (src/lib) for a link to a host folder; the sync
    // must resolve the file under the rule's path without following any link (found in review).
    const secret = path.join(victim, 'secret-2');
    fs.writeFileSync(secret, 'host secret');
    fs.symlinkSync(victim, path.join(src, 'lib'));
    const copy = (rel: string) => ({ source: path.join(src, rel), base: src, target: `/www/${rel}` });
    await expect(
      fx.containers.sync(fx.project, name, { copy: [copy('lib/secret-2')], remove: [] }),
    ).rejects.toBeInstanceOf(ContainerSyncError);
    expect(fs.existsSync(inBox('/www/lib/secret-2'))).toBe(false);
    // A link as the edited entry itself is copied as a link, as before.
    fs.symlinkSync('lib/secret-2', path.join(src, 'alias'));
    await fx.containers.sync(fx.project, name, { copy: [copy('alias')], remove: [] });
    expect(fs.readlinkSync(inBox('/www/alias'))).toBe('lib/secret-2');
  });
});
