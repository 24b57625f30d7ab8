// The cgroup code over a fake cgroupfs folder: the v2 path (most user hosts) cannot be run
// for real on this v1 machine, so its files are checked here; v1 likewise, plus the OOM
// counters both versions report.

import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroupTree } from '../../executor/host/linux/cgroups.js';
import { limitWrites, parseOomKills, sharesToWeight } from '../../executor/host/linux/cgroup-limits.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-fakecg-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const read = (...p: string[]) => fs.readFileSync(path.join(...p), 'utf8');

describe('cgroup v2 (fake cgroupfs)', () => {
  const root = path.join(tmp, 'v2');
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
  fs.writeFileSync(path.join(root, 'cgroup.subtree_control'), 'memory\n');
  const restricted: string[] = [];
  const tree = cgroupTree(root, 'v2', (dir) => restricted.push(dir));
  const leaf = path.join(root, 'stack', 'proj', 'proj-web-1');

  it('delegates memory, pids and cpu down every level and writes the limits into the one leaf', async () => {
    // The kernel offers memory.swap.max only with swap accounting: present here.
    fs.mkdirSync(leaf, { recursive: true });
    fs.writeFileSync(path.join(leaf, 'memory.swap.max'), 'max\n');
    const dirs = await tree.create('proj', 'proj-web-1', {
      resources: {
        memoryBytes: 64 << 20,
        memorySwapBytes: 96 << 20,
        memoryReservationBytes: 32 << 20,
        cpus: 1.5,
        cpuShares: 512,
        pidsLimit: 100,
      },
      privileged: false,
    });
    expect(dirs).toEqual([leaf]);
    // Only what was missing is enabled, so a parent's existing delegation is left alone.
    expect(read(root, 'cgroup.subtree_control')).toBe('+pids +cpu');
    expect(read(root, 'stack', 'cgroup.subtree_control')).toBe('+memory +pids +cpu');
    expect(read(root, 'stack', 'proj', 'cgroup.subtree_control')).toBe('+memory +pids +cpu');
    expect(read(leaf, 'memory.max')).toBe(String(64 << 20));
    expect(read(leaf, 'memory.swap.max')).toBe(String(32 << 20)); // memswap is memory + swap
    expect(read(leaf, 'memory.low')).toBe(String(32 << 20));
    expect(read(leaf, 'cpu.max')).toBe('150000 100000');
    expect(read(leaf, 'cpu.weight')).toBe(String(sharesToWeight(512)));
    expect(read(leaf, 'pids.max')).toBe('100');
    expect(tree.procsFiles('proj', 'proj-web-1')).toEqual([path.join(leaf, 'cgroup.procs')]);
    expect(fs.existsSync(path.join(leaf, 'devices.deny'))).toBe(false); // v2 has no devices files
    expect(restricted).toEqual([leaf]); // the device program instead (device-filter.test.ts runs it)
  });

  it('attaches no device program to a privileged container', async () => {
    restricted.length = 0;
    await tree.create('proj', 'proj-priv-1', { resources: {}, privileged: true });
    expect(restricted).toEqual([]);
  });

  it('counts OOM kills from memory.events', () => {
    expect(tree.oomKills('proj', 'proj-web-1')).toBe(0);
    fs.writeFileSync(path.join(leaf, 'memory.events'), 'low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\noom_group_kill 0\n');
    expect(tree.oomKills('proj', 'proj-web-1')).toBe(1);
  });

  it('skips swap when the kernel has no swap accounting, and maps the docker defaults', () => {
    expect(limitWrites('v2', { memoryBytes: 100 }, false)).toEqual([
      { controller: 'memory', file: 'memory.max', value: '100' },
      { controller: 'memory', file: 'memory.swap.max', value: '100', optional: true },
    ]);
    expect(limitWrites('v2', { memoryBytes: 100, memorySwapBytes: -1 }, false)[1]?.value).toBe('max');
    expect(limitWrites('v2', {}, true)).toEqual([]);
    expect([sharesToWeight(2), sharesToWeight(1024), sharesToWeight(262144)]).toEqual([1, 39, 10000]);
  });
});

describe('cgroup v1 (fake cgroupfs)', () => {
  const root = path.join(tmp, 'v1');
  const tree = cgroupTree(root, 'v1', () => {
    throw new Error('v1 takes devices.allow, not a device program');
  });

  it("writes each limit into its controller's tree and locks devices down", async () => {
    await tree.create('proj', 'proj-db-1', {
      resources: { memoryBytes: 1 << 20, cpus: 0.5, pidsLimit: 7 },
      privileged: false,
    });
    const group = (c: string) => path.join(root, c, 'stack', 'proj', 'proj-db-1');
    expect(read(group('memory'), 'memory.limit_in_bytes')).toBe(String(1 << 20));
    expect(fs.existsSync(path.join(group('memory'), 'memory.memsw.limit_in_bytes'))).toBe(false); // optional, absent
    expect(read(group('cpu'), 'cpu.cfs_quota_us')).toBe('50000');
    expect(read(group('pids'), 'pids.max')).toBe('7');
    // A plain file keeps only the last write; the real devices.allow takes one rule per write.
    expect(read(group('devices'), 'devices.deny')).toBe('a');
    expect(
      limitWrites('v1', {}, false)
        .filter((w) => w.file === 'devices.allow')
        .map((w) => w.value),
    ).toContain('c 1:3 rwm');
    expect(limitWrites('v1', {}, true)).toEqual([{ controller: 'devices', file: 'devices.allow', value: 'a' }]);
    fs.writeFileSync(path.join(group('memory'), 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n');
    expect(tree.oomKills('proj', 'proj-db-1')).toBe(3);
    expect(parseOomKills('oom_kill_disable 0\nunder_oom 0\n')).toBe(0);
  });
});
