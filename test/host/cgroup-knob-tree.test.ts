// The cgroup knobs over a fake cgroupfs folder, for the version this machine does not run
// (v2 here; the privileged test cgroup-knobs.test.ts covers v1 for real): which controllers
// are delegated, what lands in which file, and which extra device rules reach the device
// program. v1's cpuset levels, which must take their parent's lists, are checked too.

import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroupTree } from '../../executor/host/linux/cgroups.js';
import type { BlkioConfig } from '../../model/types.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-fakeknobs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');

/** Some block device of this host, and its MAJOR:MINOR. */
function blockDevice(): { path: string; number: string } {
  for (const name of fs.readdirSync('/dev')) {
    const st = fs.statSync(path.join('/dev', name), { throwIfNoEntry: false });
    if (st?.isBlockDevice()) return { path: path.join('/dev', name), number: `${st.rdev >> 8}:${st.rdev & 0xff}` };
  }
  throw new Error('this host has no block device in /dev');
}
const disk = blockDevice();
const blkio = (over: Partial<BlkioConfig>): BlkioConfig => ({
  weightDevice: [],
  readBps: [],
  writeBps: [],
  readIops: [],
  writeIops: [],
  ...over,
});

describe('cgroup v2 knobs (fake cgroupfs)', () => {
  const root = path.join(tmp, 'v2');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'memory pids cpu\n');
  const programs: [string, string[]][] = [];
  const tree = cgroupTree(root, 'v2', (dir, rules) => programs.push([dir, rules]));
  const leaf = path.join(root, 'stack', 'proj', 'proj-web-1');

  it('delegates cpuset and io where asked, writes cpu.max, cpuset.cpus, io.weight and io.max, and skips what v2 lacks', async () => {
    fs.mkdirSync(leaf, { recursive: true });
    fs.writeFileSync(path.join(leaf, 'io.weight'), 'default 100\n'); // the kernel offers it with io cost control
    await tree.create('proj', 'proj-web-1', {
      resources: {
        cpuPeriodUs: 50_000,
        cpuQuotaUs: 25_000,
        cpuset: '0',
        memorySwappiness: 10,
        oomKillDisable: true,
        blkio: blkio({ weight: 300, readBps: [{ path: disk.path, value: 1_048_576 }] }),
      },
      privileged: false,
      extraDeviceRules: ['c 1:5 rwm', 'c 10:237 r'],
    });
    expect(read(root, 'cgroup.subtree_control')).toBe('+cpuset +io');
    expect(read(root, 'stack', 'proj', 'cgroup.subtree_control')).toBe('+memory +pids +cpu +cpuset +io');
    expect(read(leaf, 'cpu.max')).toBe('25000 50000');
    expect(read(leaf, 'cpuset.cpus')).toBe('0');
    expect(read(leaf, 'io.weight')).toBe('default 300');
    expect(read(leaf, 'io.max')).toBe(`${disk.number} rbps=1048576`);
    expect(fs.existsSync(path.join(leaf, 'memory.swappiness'))).toBe(false);
    expect(fs.existsSync(path.join(leaf, 'memory.oom_control'))).toBe(false);
    expect(programs).toEqual([[leaf, ['c 1:5 rwm', 'c 10:237 r']]]);
  });

  it('a quota alone takes the default period; a period alone sets no quota', async () => {
    await tree.create('proj', 'proj-q-1', { resources: { cpuQuotaUs: 30_000 }, privileged: false });
    expect(read(root, 'stack', 'proj', 'proj-q-1', 'cpu.max')).toBe('30000 100000');
    await tree.create('proj', 'proj-p-1', { resources: { cpuPeriodUs: 20_000 }, privileged: false });
    expect(read(root, 'stack', 'proj', 'proj-p-1', 'cpu.max')).toBe('max 20000');
  });

  it('a weight on a kernel without a weight file is an error that says why', async () => {
    await expect(
      tree.create('proj', 'proj-w-1', { resources: { blkio: blkio({ weight: 300 }) }, privileged: false }),
    ).rejects.toThrow(/blkio_config weight: this kernel offers no block I\/O weight/);
  });

  it('a blkio device that does not exist is an error naming it', async () => {
    const missing = blkio({ writeIops: [{ path: '/dev/stk-no-disk', value: 5 }] });
    await expect(tree.create('proj', 'proj-m-1', { resources: { blkio: missing }, privileged: false })).rejects.toThrow(
      'blkio_config: /dev/stk-no-disk does not exist on this host',
    );
  });
});

describe('cgroup v2 controllers the kernel does not offer (fake cgroupfs)', () => {
  const root = path.join(tmp, 'v2-few');
  fs.mkdirSync(root);
  // A kernel built without CONFIG_CPUSETS and CONFIG_BLK_CGROUP: the root lists neither.
  fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpu memory pids\n');
  fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'memory pids cpu\n');
  const tree = cgroupTree(root, 'v2', () => {});

  it('cpuset or blkio_config on it is an error naming the controller and the fix, and nothing is written', async () => {
    await expect(tree.create('proj', 'proj-cs-1', { resources: { cpuset: '0' }, privileged: false })).rejects.toThrow(
      /cgroup v2: this kernel offers no cpuset controller \(.*cgroup\.controllers lists cpu memory pids\), which cpuset needs: .*CONFIG_CPUSETS/,
    );
    await expect(
      tree.create('proj', 'proj-io-1', { resources: { blkio: blkio({ weight: 300 }) }, privileged: false }),
    ).rejects.toThrow(/this kernel offers no io controller .*, which blkio_config needs: .*CONFIG_BLK_CGROUP/);
    expect(read(root, 'cgroup.subtree_control')).toBe('memory pids cpu\n');
    expect(fs.existsSync(path.join(root, 'stack'))).toBe(false);
  });
});

describe('cgroup v1 knobs (fake cgroupfs)', () => {
  const root = path.join(tmp, 'v1');
  for (const c of ['memory', 'pids', 'cpu', 'devices', 'cpuset', 'blkio']) {
    fs.mkdirSync(path.join(root, c), { recursive: true });
    fs.writeFileSync(path.join(root, c, 'cgroup.procs'), ''); // a mounted hierarchy
  }
  fs.writeFileSync(path.join(root, 'cpuset', 'cpuset.cpus'), '0-3\n');
  fs.writeFileSync(path.join(root, 'cpuset', 'cpuset.mems'), '0\n');
  const tree = cgroupTree(root, 'v1', () => {
    throw new Error('v1 has no device program');
  });

  it('makes cpuset and blkio groups only when asked, each cpuset level with its parent lists', async () => {
    // A fake cpuset level starts empty, as the kernel makes one.
    for (const level of ['stack', 'stack/proj', 'stack/proj/proj-web-1']) {
      fs.mkdirSync(path.join(root, 'cpuset', level), { recursive: true });
      for (const f of ['cpuset.cpus', 'cpuset.mems']) fs.writeFileSync(path.join(root, 'cpuset', level, f), '\n');
    }
    await tree.create('proj', 'proj-web-1', {
      resources: { cpuset: '2', blkio: blkio({ writeIops: [{ path: disk.path, value: 120 }] }), memorySwappiness: 10 },
      privileged: false,
      extraDeviceRules: ['c 10:237 r'],
    });
    expect(read(root, 'cpuset', 'stack', 'cpuset.cpus')).toBe('0-3');
    expect(read(root, 'cpuset', 'stack', 'proj', 'cpuset.mems')).toBe('0');
    expect(read(root, 'cpuset', 'stack', 'proj', 'proj-web-1', 'cpuset.cpus')).toBe('2');
    expect(read(root, 'blkio', 'stack', 'proj', 'proj-web-1', 'blkio.throttle.write_iops_device')).toBe(
      `${disk.number} 120`,
    );
    expect(read(root, 'memory', 'stack', 'proj', 'proj-web-1', 'memory.swappiness')).toBe('10');
    // devices.allow holds the last rule written: the extra ones come after the default list.
    expect(read(root, 'devices', 'stack', 'proj', 'proj-web-1', 'devices.allow')).toBe('c 10:237 r');
    expect(tree.procsFiles('proj', 'proj-web-1').map((f) => path.relative(root, f).split('/')[0])).toEqual([
      'memory',
      'pids',
      'cpu',
      'devices',
      'cpuset',
      'blkio',
    ]);

    await tree.create('proj', 'proj-plain-1', { resources: {}, privileged: false });
    expect(fs.existsSync(path.join(root, 'blkio', 'stack', 'proj', 'proj-plain-1'))).toBe(false);
    expect(tree.procsFiles('proj', 'proj-plain-1')).toHaveLength(4);
    fs.rmSync(path.join(root, 'blkio', 'cgroup.procs'));
    await expect(
      tree.create('proj', 'proj-noblkio-1', { resources: { blkio: blkio({}) }, privileged: false }),
    ).rejects.toThrow(/this host mounts no blkio hierarchy at .*, which blkio_config needs/);
  });
});
