// `stack stats --no-stream --format json` on the real kernel: its figures are the ones the
// test reads itself from the container's cgroups and network namespace, between a read
// before and a read after (counters only grow; an idle container's memory stays put).

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContainerStats } from '../../executor/host.js';
import { stack, TEST_IMAGE } from '../support/stack-cli.js';
import { waitFor } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { psJson } from '../support/ps-json.js';

const stacks = stacksUnderTest('tstat');
const env = () => stacks.env();

const V2 = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');
const group = (controller: string, project: string, name: string) =>
  V2 ? `/sys/fs/cgroup/stack/${project}/${name}` : `/sys/fs/cgroup/${controller}/stack/${project}/${name}`;
const read = (file: string) => fs.readFileSync(file, 'utf8');
const kv = (text: string, key: string) => Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);

/** The figures the test reads itself: all but the CPU time. */
type Figures = Omit<ContainerStats, 'cpuNs'>;

/** The container's figures as the kernel's files hold them, read by the test itself. */
function direct(project: string, name: string, pid: number): Figures {
  const mem = group('memory', project, name);
  let net = { rx: 0, tx: 0 };
  for (const line of read(`/proc/${pid}/net/dev`).split('\n').slice(2)) {
    const m = /^\s*([^:]+):\s*(.*)$/.exec(line);
    if (!m || m[1] === 'lo') continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    net = { rx: net.rx + f[0]!, tx: net.tx + f[8]! };
  }
  const blkio = V2
    ? read(path.join(mem, 'io.stat'))
    : read(path.join(group('blkio', project, name), 'blkio.throttle.io_service_bytes_recursive'));
  const sum = (re: RegExp) => [...blkio.matchAll(re)].reduce((a, m) => a + Number(m[1]), 0);
  return {
    memoryBytes: V2
      ? Number(read(path.join(mem, 'memory.current'))) - kv(read(path.join(mem, 'memory.stat')), 'inactive_file')
      : Number(read(path.join(mem, 'memory.usage_in_bytes'))) -
        kv(read(path.join(mem, 'memory.stat')), 'total_inactive_file'),
    memoryLimitBytes: Number(read(path.join(mem, V2 ? 'memory.max' : 'memory.limit_in_bytes'))),
    pids: Number(read(path.join(group('pids', project, name), 'pids.current'))),
    netRxBytes: net.rx,
    netTxBytes: net.tx,
    blockReadBytes: V2 ? sum(/rbytes=(\d+)/g) : sum(/ Read (\d+)/g),
    blockWriteBytes: V2 ? sum(/wbytes=(\d+)/g) : sum(/ Write (\d+)/g),
  };
}

describe('stack stats', () => {
  it('--no-stream --format json: memory, limit, pids, net and block I/O are the kernel figures', async () => {
    // A write that reaches the disk (fsync) under a blkio group (blkio_config makes one on v1),
    // a few packets through eth0, then three processes idle.
    const dev = fs.statSync(env().env.STACK_ROOT!).dev;
    const uevent = read(`/sys/dev/block/${(dev >> 8) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}/uevent`);
    const device = `/dev/${/^DEVNAME=(.+)$/m.exec(uevent)![1]}`;
    const { f, project } = stacks.up(`  box:
    image: ${TEST_IMAGE}
    mem_limit: 64m
    blkio_config:
      device_write_bps: [{ path: ${device}, rate: 1gb }]
    command: ["sh", "-c", "dd if=/dev/zero of=/written bs=64k count=16 conv=fsync 2>/dev/null; ping -c 2 -W 1 $$(ip route | awk '/default/ {print $$3}') >/dev/null 2>&1; touch /done; sleep 1000 & sleep 1000 & wait"]
    stop_grace_period: 0s
`);
    const name = `${project}-box-1`;
    const ps = psJson<{ pid: number }>(stack(env(), [...f, 'ps', '--format', 'json']).stdout);
    const pid = ps[0]!.pid;
    await waitFor(() => fs.existsSync(`/proc/${pid}/root/done`) && direct(project, name, pid).pids === 3);
    const before = direct(project, name, pid);
    const r = stack(env(), [...f, 'stats', '--no-stream', '--format', 'json']);
    const after = direct(project, name, pid);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const s = JSON.parse(lines[0]!) as Figures & Record<string, string | number>;
    expect(s).toMatchObject({ Name: name, Container: name, PIDs: '3', memoryLimitBytes: 64 * 1024 * 1024 });
    for (const k of Object.keys(before) as (keyof Figures)[]) {
      expect(s[k], k).toBeGreaterThanOrEqual(Math.min(before[k], after[k]));
      expect(s[k], k).toBeLessThanOrEqual(Math.max(before[k], after[k]));
    }
    expect(s.blockWriteBytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(s.netTxBytes).toBeGreaterThan(0);
    // docker's words: the units of go-units.
    expect(s.MemUsage).toMatch(/^[\d.]+(B|KiB|MiB) \/ 64MiB$/);
    expect(s.CPUPerc).toMatch(/^\d+\.\d\d%$/);
    expect(s.NetIO).toMatch(/^[\d.]+(B|kB|MB) \/ [\d.]+(B|kB|MB)$/);
    expect(s.BlockIO).toMatch(/^[\d.]+(B|kB|MB) \/ [\d.]+(B|kB|MB)$/);
  });

  it('a table by default; -a adds the stopped ones; a service without containers is exit 1, a format 2', () => {
    const { f, project } = stacks.up(`  one:
    image: ${TEST_IMAGE}
    command: ["sleep", "1000"]
    stop_grace_period: 0s
  two:
    image: ${TEST_IMAGE}
    command: ["sleep", "1000"]
    stop_grace_period: 0s
`);
    expect(stack(env(), [...f, 'stop', 'two']).code).toBe(0);
    const table = stack(env(), [...f, 'stats', '--no-stream']);
    expect(table.code, table.stderr).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^CONTAINER ID\s+NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
    expect(rows).toEqual([
      expect.stringMatching(new RegExp(`^${project}-one-1\\s+${project}-one-1\\s+\\d+\\.\\d\\d%`)),
    ]);
    const all = stack(env(), [...f, 'stats', '--no-stream', '-a', '--format', 'json', 'two']);
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toMatchObject({ Name: `${project}-two-1`, PIDs: '0', MemUsage: '0B / 0B' });
    expect(stack(env(), [...f, 'stats', '--no-stream', 'nope']).code).toBe(1);
    expect(stack(env(), [...f, 'stats', '--no-stream', '--format', 'yaml']).code).toBe(2);
  });
});
