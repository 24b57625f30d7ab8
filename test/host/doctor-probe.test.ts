// The real host behind `stack doctor` on this machine: what it reads, and that the two
// probes which make something (a cgroup parent, a trial overlay mount) leave nothing behind.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linuxDoctorProbe } from '../../executor/host/linux/doctor-probe-linux.js';
import { mountTestOverlay } from '../support/overlay-mount.js';
import { runTool } from '../support/run-tool.js';

const probe = linuxDoctorProbe();
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-test-doctor-'));
});

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('the real doctor probe', () => {
  it('reads the kernel: its config, built-in pieces and the release', () => {
    expect(probe.kernelRelease()).toBe(os.release());
    expect(probe.kernelConfig('CONFIG_VETH')).toBe('y');
    expect(probe.kernelConfig('CONFIG_NO_SUCH_OPTION')).toBe('');
    expect(['loaded', 'built-in']).toContain(probe.module('bridge'));
  });

  it('tells a static ELF from a dynamic one, and a non-ELF from both', () => {
    expect(probe.isStaticElf('/bin/busybox')).toBe(true);
    expect(probe.isStaticElf(process.execPath)).toBe(false);
    expect(probe.isStaticElf('/etc/hostname')).toBeUndefined();
    expect(probe.isStaticElf(path.join(tmp, 'none'))).toBeUndefined();
  });

  it('stats a file: its owner and mode with the setuid bit, without following a last symlink', () => {
    expect(probe.stat('/usr/bin/newuidmap')).toEqual({ uid: 0, mode: 0o4755, isDirectory: false });
    fs.mkdirSync(path.join(tmp, 'dir'), { mode: 0o700 });
    fs.symlinkSync(path.join(tmp, 'dir'), path.join(tmp, 'link'));
    expect(probe.stat(path.join(tmp, 'dir'))).toEqual({ uid: 0, mode: 0o700, isDirectory: true });
    expect(probe.stat(path.join(tmp, 'link'))).toMatchObject({ isDirectory: false });
    expect(probe.stat(path.join(tmp, 'none'))).toBeUndefined();
  });

  it('names the filesystem of a folder not made yet by its nearest parent', () => {
    const fsInfo = probe.filesystem(path.join(tmp, 'a', 'b'));
    expect(fsInfo).toMatchObject({ path: tmp, type: expect.any(String) });
    expect(fsInfo!.freeBytes).toBeGreaterThan(0);
  });

  it('makes a folder to see that it can, and removes it again', () => {
    const dir = path.join(tmp, 'stk-parent');
    expect(probe.canCreateDir(dir)).toBe('created');
    expect(fs.existsSync(dir)).toBe(false);
    expect(probe.canCreateDir(tmp)).toBe('exists');
    expect(probe.canCreateDir(path.join(tmp, 'no', 'parent'))).toBe('ENOENT');
  });

  it('a trial overlay mounts on a plain folder, is refused on overlay, and leaves no mount or folder', async () => {
    // Only mounts under our folder: other test runs on this machine mount and unmount meanwhile.
    const ours = () =>
      fs
        .readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .filter((l) => l.includes(tmp));
    expect(probe.overlayTrial(tmp)).toEqual({ mounted: true });
    const merged = await mountTestOverlay(path.join(tmp, 'ov'), 'stk-doctor-probe');
    try {
      expect(probe.overlayTrial(merged)).toEqual({ mounted: false, error: expect.stringContaining('mount') });
      expect(fs.readdirSync(merged)).toEqual([]);
    } finally {
      await runTool('umount', [merged]);
    }
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('.stk-doctor-'))).toEqual([]);
    expect(ours()).toEqual([]);
    expect(probe.overlayTrial(path.join(tmp, 'missing'))).toMatchObject({
      untested: expect.stringContaining('does not exist'),
    });
  });

  it("lists base chains through libnftables, stack's own tables included", async () => {
    expect(await probe.libnftablesError()).toBeUndefined();
    expect(Array.isArray(await probe.baseChains())).toBe(true);
  });
});
