// `stack pause` on cgroup v2, over a fake cgroupfs: this v1 machine cannot run it for real
// (v1 is run for real by test/integration/compose-container-commands.test.ts). The test
// plays the kernel: it reports `frozen 1`/`frozen 0` in cgroup.events once asked.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freezerOf } from '../../executor/host/linux/freezer.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-fakefreezer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** What only v1's freezer groups use. */
const v1Only = { makeIn: async () => {}, removeAboveIn: async () => {} };

describe('cgroup v2 freezer (fake cgroupfs)', () => {
  const leaf = path.join(tmp, 'stack', 'proj', 'proj-web-1');
  const tree = { dirs: () => [leaf], pids: async () => [], ...v1Only };
  const freezer = freezerOf(tmp, tree, 'v2');
  const events = (frozen: 0 | 1) =>
    fs.writeFileSync(path.join(leaf, 'cgroup.events'), `populated 1\nfrozen ${frozen}\n`);

  it('writes cgroup.freeze and resolves only once the kernel says frozen', async () => {
    fs.mkdirSync(leaf, { recursive: true });
    fs.writeFileSync(path.join(leaf, 'cgroup.freeze'), '0\n');
    events(0);
    let done = false;
    const freezing = freezer.freeze('proj', 'proj-web-1').then(() => (done = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.readFileSync(path.join(leaf, 'cgroup.freeze'), 'utf8')).toBe('1');
    expect(done).toBe(false); // not before the kernel has frozen every process
    events(1);
    await freezing;
    const thawing = freezer.thaw('proj', 'proj-web-1');
    await new Promise((r) => setTimeout(r, 20));
    expect(fs.readFileSync(path.join(leaf, 'cgroup.freeze'), 'utf8')).toBe('0');
    events(0);
    await thawing;
  });

  it('a thaw of a container that is gone does nothing; a freeze of one says what is missing', async () => {
    const gone = freezerOf(tmp, { dirs: () => [path.join(tmp, 'gone')], pids: async () => [], ...v1Only }, 'v2');
    await gone.thaw('proj', 'gone');
    await expect(gone.freeze('proj', 'gone')).rejects.toThrow(/cgroup\.freeze is missing/);
    await gone.remove('proj', 'gone'); // v2: the group goes with the container's own
  });

  it('frozen(): what cgroup.freeze asks (observe reads it for containers no record says are paused)', async () => {
    fs.writeFileSync(path.join(leaf, 'cgroup.freeze'), '1\n');
    expect(await freezer.frozen('proj', 'proj-web-1')).toBe(true);
    fs.writeFileSync(path.join(leaf, 'cgroup.freeze'), '0\n');
    expect(await freezer.frozen('proj', 'proj-web-1')).toBe(false);
    const gone = freezerOf(tmp, { dirs: () => [path.join(tmp, 'gone')], pids: async () => [], ...v1Only }, 'v2');
    expect(await gone.frozen('proj', 'gone')).toBe(false);
  });
});

describe('cgroup v1 freezer state (fake cgroupfs)', () => {
  it('frozen() reads freezer.state; a container never paused has no group and is not frozen', async () => {
    const freezer = freezerOf(tmp, { dirs: () => [], pids: async () => [], ...v1Only }, 'v1');
    expect(await freezer.frozen('proj', 'proj-web-1')).toBe(false);
    const group = path.join(tmp, 'freezer', 'stack', 'proj', 'proj-web-1');
    fs.mkdirSync(group, { recursive: true });
    for (const [state, frozen] of [
      ['FROZEN', true],
      ['FREEZING', true],
      ['THAWED', false],
    ] as const) {
      fs.writeFileSync(path.join(group, 'freezer.state'), `${state}\n`);
      expect(await freezer.frozen('proj', 'proj-web-1')).toBe(frozen);
    }
  });
});
