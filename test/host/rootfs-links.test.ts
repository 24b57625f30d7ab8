// Privileged: symlinks in an image, absolute or climbing above the root with `..` (the
// unpacker keeps both, as docker does), stay inside the container's root wherever the init
// stage follows them — the copy-up of a new volume (the image's content at its target),
// volume and bind targets — and at run time.
// The attack of issue 13 finding 6: an image with `fw -> /sys/firmware` and a named volume
// on /fw copied the host's root-only ACPI tables into the volume, because copy-up ran after
// /proc and /sys were mounted and before they were masked.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { MountSpec } from '../../model/plan.js';
import { paths } from '../../store/paths.js';
import { unpackLayer } from '../../images/unpack-layer.js';
import { volumeDataDir } from '../../store/volumes.js';
import { busyboxFixture } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';

const fx = busyboxFixture('links');
/** A name no host directory has: what lands at /etc/<it> on the host would be an escape. */
const unique = `stk-links-${crypto.randomBytes(4).toString('hex')}`;
const LINKS: Record<string, string> = {
  fw: '/sys/firmware',
  up: '../../../sys',
  pr: '/proc',
  etcup: '../../../../etc',
};

/** The second layer, on top of the fixture's busybox one: made by tar and unpacked as an image layer is. */
const linksLayer = crypto.randomBytes(32).toString('hex');

beforeAll(async () => {
  fx.buildLayer();
  const tree = fs.mkdtempSync(path.join(fx.tmp, 'tree-'));
  for (const [name, target] of Object.entries(LINKS)) fs.symlinkSync(target, path.join(tree, name));
  fs.mkdirSync(path.join(tree, 'etc'));
  fs.writeFileSync(path.join(tree, 'etc/from-image'), 'image\n');
  // A tree whose owners, modes, times and links copy-up keeps.
  const srv = path.join(tree, 'srv');
  fs.mkdirSync(path.join(srv, 'sub'), { recursive: true });
  fs.writeFileSync(path.join(srv, 'sub/file'), 'data\n');
  fs.symlinkSync('sub/file', path.join(srv, 'link'));
  fs.chownSync(path.join(srv, 'sub/file'), 1000, 50);
  fs.lchownSync(path.join(srv, 'link'), 1000, 1000);
  fs.chmodSync(path.join(srv, 'sub/file'), 0o640);
  fs.chmodSync(path.join(srv, 'sub'), 0o750);
  fs.chmodSync(srv, 0o710);
  fs.chownSync(srv, 1000, 1000);
  fs.utimesSync(path.join(srv, 'sub/file'), new Date(1e12), new Date(1e12));
  const blob = path.join(fx.tmp, 'links.tar');
  execFileSync('tar', ['--numeric-owner', '-C', tree, '-cf', blob, '.']);
  await unpackLayer(blob, paths.layerDir(linksLayer));
});
afterAll(() => fx.cleanupAll());

let volumes = 0;
/** A new named volume mounted at `target` (copy-up on, as for any volume without nocopy). */
function volumeAt(target: string): MountSpec & { name: string } {
  const name = `${fx.project}_v${++volumes}`;
  return { type: 'volume', source: name, target, readOnly: false, name };
}
const contents = (name: string) => fs.readdirSync(volumeDataDir(name)).sort();
/** A container of the busybox layer with the links layer on top. */
const run = (argv: string[], overrides: Parameters<typeof fx.run>[1]) => fx.run(argv, { ...withLinks(), ...overrides });
const withLinks = () => ({
  image: { ref: 'links:test', id: `sha256:${linksLayer}`, layers: [`sha256:${fx.layer}`, `sha256:${linksLayer}`] },
});

describe.each(INIT_STAGES)("symlinks of an image stay inside the container's root (%s init stage)", (stage) => {
  beforeAll(() => useInitStage(stage));

  it("a link above the root reads the image's files at run time, not the host's", async () => {
    const { exit, log } = await run(['sh', '-c', 'cat /etcup/passwd; readlink /etcup'], {});
    expect(exit.exitCode).toBe(0);
    const image = fs.readFileSync(path.join(paths.layerDir(fx.layer), 'etc/passwd'), 'utf8');
    expect(log).toBe(`${image}../../../../etc\n`);
    expect(log).not.toContain(fs.readFileSync('/etc/passwd', 'utf8'));
  });

  it("copy-up keeps the image's owners, modes, times and links", async () => {
    const srv = volumeAt('/srv');
    const { exit } = await run(['true'], { mounts: [srv] });
    expect(exit.exitCode).toBe(0);
    const at = (p: string) => fs.lstatSync(path.join(volumeDataDir(srv.name), p));
    const shape = (st: fs.Stats) => [st.uid, st.gid, (st.mode & 0o7777).toString(8)];
    expect(shape(at('.'))).toEqual([1000, 1000, '710']);
    expect(shape(at('sub'))).toEqual([0, 0, '750']);
    expect(shape(at('sub/file'))).toEqual([1000, 50, '640']);
    expect(at('sub/file').mtimeMs).toBe(1e12);
    expect(fs.readlinkSync(path.join(volumeDataDir(srv.name), 'link'))).toBe('sub/file');
    expect([at('link').uid, at('link').gid]).toEqual([1000, 1000]);
  });

  it('mounts onto the opened target keep read-only, propagation, tmpfs options and file binds as before', async () => {
    const dir = fs.mkdtempSync(path.join(fx.tmp, 'bind-'));
    const file = path.join(fx.tmp, 'one-file');
    fs.writeFileSync(file, 'one\n');
    const mounts: MountSpec[] = [
      { type: 'bind', source: dir, target: '/shared', readOnly: true, propagation: 'rshared' },
      { type: 'bind', source: dir, target: '/private', readOnly: false },
      { type: 'bind', source: file, target: '/etcup/one', readOnly: true },
      { type: 'tmpfs', source: '', target: '/scratch', readOnly: false, tmpfsSize: 1 << 20 },
    ];
    const { exit, log } = await run(
      ['sh', '-c', 'cat /etc/one; grep -E " /(shared|private|etc/one|scratch) " /proc/self/mountinfo'],
      { mounts },
    );
    expect(exit.exitCode).toBe(0);
    const lines = log.split('\n');
    expect(lines[0]).toBe('one');
    const line = (target: string) => lines.find((l) => l.split(' ')[4] === target) ?? '';
    expect(line('/shared')).toMatch(/ ro,[^ ]* shared:\d+ /);
    expect(line('/private')).toMatch(/ rw,[^ ]* - /);
    expect(line('/etc/one')).toMatch(/ ro,/);
    expect(line('/scratch')).toMatch(/ rw,nosuid,nodev[^ ]* - tmpfs tmpfs rw,[^ ]*size=1024k/);
  });

  it('copy-up through a link to /sys copies nothing of the host into the volume (the ACPI tables attack)', async () => {
    const fw = volumeAt('/fw');
    const up = volumeAt('/up/firmware');
    const { exit, log } = await run(['sh', '-c', 'grep -c " /sys/firmware " /proc/self/mountinfo'], {
      mounts: [fw, up],
    });
    expect(exit.exitCode).toBe(0);
    expect(contents(fw.name)).toEqual([]);
    expect(contents(up.name)).toEqual([]);
    // Both volumes landed on the container's own /sys/firmware (which is then masked).
    expect(Number(log.trim())).toBeGreaterThanOrEqual(2);
  });

  it('refuses a mount whose target resolves into /proc, as runc does, and copies nothing', async () => {
    const pr = volumeAt('/pr/sys');
    const s = fx.spec(['true'], { ...withLinks(), mounts: [pr] });
    const err = await fx.spawnOnly(s).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe(
      `container ${s.name}: init failed at mount volumes: mount target /pr/sys resolves to /proc/sys, inside /proc: refused`,
    );
    expect(contents(pr.name)).toEqual([]);
    await fx.removeAll(s.name);
  });

  it('a link above the root resolves inside it at run time, for copy-up, volume targets and bind targets', async () => {
    const whole = volumeAt('/etcup');
    const sub = volumeAt(`/etcup/${unique}-volume`);
    const bindSource = fs.mkdtempSync(path.join(fx.tmp, 'bind-'));
    const bind: MountSpec = { type: 'bind', source: bindSource, target: `/etcup/${unique}-bind`, readOnly: false };
    const { exit, log } = await run(
      ['sh', '-c', `cat /etcup/from-image; echo written > /etc/${unique}-bind/x; ls /etcup`],
      { mounts: [whole, sub, bind] },
    );
    expect(exit.exitCode).toBe(0);
    // The image's /etc, not the host's: copied into the volume, and read through the link.
    expect(log.split('\n')[0]).toBe('image');
    // (with the mount points of the two mounts inside it, made after the copy)
    expect(contents(whole.name)).toEqual(['from-image', 'group', 'passwd', `${unique}-bind`, `${unique}-volume`]);
    expect(fs.readFileSync(path.join(volumeDataDir(whole.name), 'passwd'), 'utf8')).toBe(
      fs.readFileSync(path.join(paths.layerDir(fx.layer), 'etc/passwd'), 'utf8'),
    );
    expect(log.split('\n')).toContain('from-image');
    // Targets through the link landed in the container's /etc, never the host's.
    expect(fs.readFileSync(path.join(bindSource, 'x'), 'utf8')).toBe('written\n');
    for (const suffix of ['volume', 'bind']) expect(fs.existsSync(`/etc/${unique}-${suffix}`)).toBe(false);
  });
});
