// `stack cp` on the real kernel. First the attacks: a container controls every name and
// symlink in its filesystem, so a symlink to / (or to a host folder) inside it must lead to
// the container's own files, never the host's, in both directions. Then docker cp's rules:
// modes and times kept, owners with -a, -L, `SRC/.`, --index.

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stack, TEST_IMAGE } from '../support/stack-cli.js';
import { waitFor } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { psJson } from '../support/ps-json.js';

const stacks = stacksUnderTest('tcp');
const env = () => stacks.env();

/** A container that lays out a tree, with symlinks that point out of it if followed on the host. */
function upBox(hostDir: string, scale = 1) {
  const setup = [
    'echo container-shadow > /etc/shadow',
    'ln -s /etc /tmp/x',
    `ln -s ${hostDir} /tmp/y`,
    'ln -s ../../../../../../../etc /tmp/z',
    'mkdir -p /tmp/d/sub',
    'echo hi > /tmp/d/f',
    'chown 1234:5678 /tmp/d/f',
    'chmod 4751 /tmp/d/f',
    'ln -s f /tmp/d/link',
    'echo deep > /tmp/d/sub/g',
    'chmod 0700 /tmp/d/sub',
    'touch /ready',
    'exec sleep 1000',
  ].join('; ');
  const { f } = stacks.up(`  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", ${JSON.stringify(setup.replace(/\$/g, '$$$$'))}]
    stop_grace_period: 0s
    deploy: { replicas: ${scale} }
`);
  const rows = psJson<{ name: string; pid: number }>(stack(env(), [...f, 'ps', '--format', 'json']).stdout);
  return { f, pids: rows.map((r) => r.pid) };
}

const ready = (pid: number) => waitFor(() => fs.existsSync(`/proc/${pid}/root/ready`));

describe('stack cp: a symlink in the container never leads to the host', () => {
  it('reads the container’s /etc through /tmp/x -> /etc, /tmp/z -> ../../../etc and /tmp/y -> a host folder', async () => {
    const hostDir = fs.mkdtempSync(path.join(env().root, 'host-'));
    fs.writeFileSync(path.join(hostDir, 'secret'), 'host-secret');
    const { f, pids } = upBox(hostDir);
    await ready(pids[0]!);
    const out = path.join(env().root, 'out');
    fs.mkdirSync(out);
    for (const link of ['x', 'z']) {
      const r = stack(env(), [...f, 'cp', `web:/tmp/${link}/shadow`, path.join(out, `shadow-${link}`)]);
      expect(r.code, r.stderr).toBe(0);
      expect(fs.readFileSync(path.join(out, `shadow-${link}`), 'utf8')).toBe('container-shadow\n');
    }
    // The host folder is no folder in the container: nothing is found, nothing of the host read.
    const y = stack(env(), [...f, 'cp', 'web:/tmp/y/secret', path.join(out, 'secret')]);
    expect(y.code).toBe(1);
    expect(fs.existsSync(path.join(out, 'secret'))).toBe(false);
    // `..` past the root stays at the root.
    const dots = stack(env(), [...f, 'cp', 'web:/../../../../etc/shadow', path.join(out, 'dots')]);
    expect(dots.code, dots.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'dots'), 'utf8')).toBe('container-shadow\n');
  });

  it('writes into the container’s /etc through /tmp/x/evil, never the host’s; a host folder link leads nowhere', async () => {
    const hostDir = fs.mkdtempSync(path.join(env().root, 'host-'));
    const { f, pids } = upBox(hostDir);
    await ready(pids[0]!);
    const name = `stk-cp-evil-${process.pid}`;
    const file = path.join(env().root, 'file');
    fs.writeFileSync(file, 'payload');
    try {
      const r = stack(env(), [...f, 'cp', file, `web:/tmp/x/${name}`]);
      expect(r.code, r.stderr).toBe(0);
      expect(fs.existsSync(`/etc/${name}`)).toBe(false);
      expect(fs.readFileSync(`/proc/${pids[0]}/root/etc/${name}`, 'utf8')).toBe('payload');
      const viaZ = stack(env(), [...f, 'cp', file, `web:/tmp/z/${name}-z`]);
      expect(viaZ.code, viaZ.stderr).toBe(0);
      expect(fs.existsSync(`/etc/${name}-z`)).toBe(false);
      // A folder of the host named by a link: not there in the container, so refused.
      const y = stack(env(), [...f, 'cp', file, 'web:/tmp/y/evil']);
      expect(y.code).toBe(1);
      expect(y.stderr).toContain('does not exist');
      expect(fs.readdirSync(hostDir)).toEqual([]);
      // A folder copied into the link's target lands in the container too.
      const dir = path.join(env().root, 'tree');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'inner'), 'x');
      expect(stack(env(), [...f, 'cp', dir, `web:/tmp/x/${name}-dir`]).code).toBe(0);
      expect(fs.existsSync(`/etc/${name}-dir`)).toBe(false);
      expect(fs.readFileSync(`/proc/${pids[0]}/root/etc/${name}-dir/inner`, 'utf8')).toBe('x');
    } finally {
      for (const leftover of [name, `${name}-z`, `${name}-dir`])
        fs.rmSync(`/etc/${leftover}`, { recursive: true, force: true });
    }
  });

  it('a device node the container made is never opened for writing (the host would reach the device)', async () => {
    const { f, pids } = upBox('/nonexistent');
    await ready(pids[0]!);
    const root = `/proc/${pids[0]}/root`;
    // 1:3 is /dev/null: harmless here; a disk's numbers would reach the host's disk the same way.
    const made = stack(env(), [...f, 'exec', '-T', 'web', 'mknod', '/tmp/dev', 'c', '1', '3']);
    expect(made.code, made.stderr).toBe(0);
    const file = path.join(env().root, 'payload');
    fs.writeFileSync(file, 'payload');
    const r = stack(env(), [...f, 'cp', file, 'web:/tmp/dev']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not a regular file');
    expect(fs.lstatSync(`${root}/tmp/dev`).isCharacterDevice()).toBe(true);
  });

  it('a symlink a first copy brought out is replaced, not followed, by a second copy', async () => {
    const hostDir = fs.mkdtempSync(path.join(env().root, 'host-'));
    const { f, pids } = upBox(hostDir);
    await ready(pids[0]!);
    const root = `/proc/${pids[0]}/root`;
    fs.mkdirSync(`${root}/tmp/t`);
    fs.symlinkSync(hostDir, `${root}/tmp/t/a`);
    const out = path.join(env().root, 'out2');
    expect(stack(env(), [...f, 'cp', 'web:/tmp/t', out]).code).toBe(0);
    expect(fs.readlinkSync(path.join(out, 'a'))).toBe(hostDir);
    // Now `a` is a folder in the container with a file in it; copied over the first copy.
    fs.unlinkSync(`${root}/tmp/t/a`);
    fs.mkdirSync(`${root}/tmp/t/a`);
    fs.writeFileSync(`${root}/tmp/t/a/planted`, 'x');
    const r = stack(env(), [...f, 'cp', 'web:/tmp/t/.', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readdirSync(hostDir)).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'a', 'planted'), 'utf8')).toBe('x');
  });
});

describe('stack cp: docker cp’s rules', () => {
  it('both ways keep modes and times (setuid out of the container only with -a); owners only with -a', async () => {
    const { f, pids } = upBox('/nonexistent');
    await ready(pids[0]!);
    const root = `/proc/${pids[0]}/root`;
    const out = path.join(env().root, 'from');
    // A folder to a missing destination: the destination becomes the copy.
    expect(stack(env(), [...f, 'cp', 'web:/tmp/d', out]).code).toBe(0);
    const st = fs.statSync(path.join(out, 'f'));
    // The caller's owner, as docker's; the container's setuid bit is dropped: a root-owned
    // setuid program it chose would let any local user run it as root (found in review).
    expect(st.mode & 0o7777).toBe(0o751);
    expect([st.uid, st.gid]).toEqual([0, 0]);
    expect(fs.statSync(path.join(out, 'sub')).mode & 0o7777).toBe(0o700);
    expect(fs.readFileSync(path.join(out, 'sub', 'g'), 'utf8')).toBe('deep\n');
    expect(fs.readlinkSync(path.join(out, 'link'))).toBe('f');
    expect(Math.round(st.mtimeMs)).toBe(Math.round(fs.statSync(`${root}/tmp/d/f`).mtimeMs)); // to the ms, as utimes(2) from Node
    const archived = path.join(env().root, 'archived');
    expect(stack(env(), [...f, 'cp', '-a', 'web:/tmp/d', archived]).code).toBe(0);
    const ast = fs.statSync(path.join(archived, 'f'));
    expect([ast.uid, ast.gid, ast.mode & 0o7777]).toEqual([1234, 5678, 0o4751]);
    // -L: the file a symlink names, not the symlink.
    expect(stack(env(), [...f, 'cp', 'web:/tmp/d/link', path.join(env().root, 'nolink')]).code).toBe(0);
    expect(fs.lstatSync(path.join(env().root, 'nolink')).isSymbolicLink()).toBe(true);
    expect(stack(env(), [...f, 'cp', '-L', 'web:/tmp/d/link', path.join(env().root, 'followed')]).code).toBe(0);
    expect(fs.readFileSync(path.join(env().root, 'followed'), 'utf8')).toBe('hi\n');

    // To the container: into an existing folder under the source's name; root's owner unless -a.
    const local = path.join(env().root, 'local');
    fs.mkdirSync(local);
    fs.writeFileSync(path.join(local, 'script'), '#!/bin/sh\n');
    fs.chownSync(path.join(local, 'script'), 4321, 8765);
    fs.chmodSync(path.join(local, 'script'), 0o2755);
    expect(stack(env(), [...f, 'cp', local, 'web:/tmp']).code).toBe(0);
    const t = fs.statSync(`${root}/tmp/local/script`);
    expect([t.uid, t.gid, t.mode & 0o7777]).toEqual([0, 0, 0o2755]);
    expect(Math.round(t.mtimeMs)).toBe(Math.round(fs.statSync(path.join(local, 'script')).mtimeMs));
    expect(stack(env(), [...f, 'cp', '-a', `${local}/.`, 'web:/tmp/d/sub']).code).toBe(0);
    const a = fs.statSync(`${root}/tmp/d/sub/script`);
    expect([a.uid, a.gid, a.mode & 0o7777]).toEqual([4321, 8765, 0o2755]);
    // A folder onto a file, a missing parent: refused as docker refuses them.
    expect(stack(env(), [...f, 'cp', local, 'web:/tmp/d/f']).code).toBe(1);
    expect(stack(env(), [...f, 'cp', local, 'web:/no/such/dir']).stderr).toContain('does not exist');
    expect(stack(env(), [...f, 'cp', local, path.join(env().root, 'x')]).code).toBe(2);
  });

  it('--index picks the replica; to the container without it, every replica gets the file', async () => {
    const { f, pids } = upBox('/nonexistent', 2);
    await Promise.all(pids.map(ready));
    const file = path.join(env().root, 'replicas');
    fs.writeFileSync(file, 'both');
    expect(stack(env(), [...f, 'cp', file, 'web:/tmp/r']).code).toBe(0);
    for (const pid of pids) expect(fs.readFileSync(`/proc/${pid}/root/tmp/r`, 'utf8')).toBe('both');
    fs.writeFileSync(`/proc/${pids[1]}/root/tmp/second`, 'two');
    expect(stack(env(), [...f, 'cp', '--index', '2', 'web:/tmp/second', path.join(env().root, 'second')]).code).toBe(0);
    expect(fs.readFileSync(path.join(env().root, 'second'), 'utf8')).toBe('two');
    expect(stack(env(), [...f, 'cp', '--index', '3', 'web:/tmp/second', env().root]).code).toBe(2);
  });
});
