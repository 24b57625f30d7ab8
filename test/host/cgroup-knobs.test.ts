// Privileged: the cgroup and process knobs of issue 18 (group_add, oom_score_adj, devices,
// device_cgroup_rules, cpu_period/cpu_quota, cpuset, mem_swappiness, oom_kill_disable,
// blkio_config), each seen from inside a real busybox container where the container can see
// it, else in the container's own cgroup files on the host, against both init stages.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { cgroupDirs, cgroupVersion } from '../../executor/host/linux/cgroups.js';
import { busyboxFixture } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';
import { waitFor } from '../support/processes.js';

const fx = busyboxFixture('cgknobs');
beforeAll(() => fx.buildLayer());
afterAll(() => fx.cleanupAll());

const field = (log: string, prefix: string) =>
  log
    .split('\n')
    .find((l) => l.startsWith(prefix))
    ?.slice(prefix.length)
    .trim();

/** The first block device of this host (its whole disk, as blkio throttling wants). */
function hostDisk(): { path: string; number: string } {
  const line = fs
    .readFileSync('/proc/partitions', 'utf8')
    .split('\n')
    .slice(2)
    .map((l) => l.trim().split(/\s+/))
    .find((f) => f.length === 4 && !/^(loop|ram|zram)/.test(f[3]!) && f[1] === '0');
  if (!line) throw new Error('this host has no disk in /proc/partitions');
  return { path: `/dev/${line[3]}`, number: `${line[0]}:${line[1]}` };
}

describe.each(INIT_STAGES)('cgroup and process knobs (%s init stage)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('group_add adds groups by name from the image and by number, for the command and all its children', async () => {
    const { exit, log } = await fx.run(['sh', '-c', 'grep Groups /proc/self/status; id -G'], {
      user: 'app',
      groupAdd: ['staff', '4242'],
    });
    expect(exit.exitCode).toBe(0);
    // app's own groups (1000, audio 29 as a member) and the added staff 50 and 4242.
    expect(
      field(log, 'Groups:')
        ?.split(/\s+/)
        .map(Number)
        .sort((a, b) => a - b),
    ).toEqual([29, 50, 1000, 4242]);
  });

  it('group_add reaches a process that stack exec starts in the container too', async () => {
    const s = fx.spec(['sleep', '30'], { user: 'app', groupAdd: ['staff', '4242'] });
    await fx.start(s);
    try {
      let out = '';
      const code = await fx.containers.exec(fx.project, s.name, {
        argv: ['grep', 'Groups', '/proc/self/status'],
        stdio: 'pipe',
        onOutput: (_stream, chunk) => (out += chunk.toString()),
      });
      expect(code).toBe(0);
      expect(
        field(out, 'Groups:')
          ?.split(/\s+/)
          .map(Number)
          .sort((a, b) => a - b),
      ).toEqual([29, 50, 1000, 4242]);
    } finally {
      await fx.removeAll(s.name);
    }
  });

  it('group_add with a name the image lacks stops the start, naming the group', async () => {
    await expect(fx.run(['true'], { groupAdd: ['nosuchgroup'] })).rejects.toThrow(/group_add.*nosuchgroup/);
  });

  it('oom_score_adj is the container PID 1 value and its children inherit it', async () => {
    const value = 500;
    const { exit, log } = await fx.run(
      ['sh', '-c', 'echo "one $(cat /proc/1/oom_score_adj)"; echo "self $(cat /proc/self/oom_score_adj)"'],
      {
        resources: { oomScoreAdj: value },
      },
    );
    expect(exit.exitCode).toBe(0);
    expect(field(log, 'one')).toBe(String(value));
    expect(field(log, 'self')).toBe(String(value));
  });

  it('a negative oom_score_adj works with CAP_SYS_RESOURCE, and without it stops the start saying why', async () => {
    const capEff = BigInt(`0x${field(fs.readFileSync('/proc/self/status', 'utf8'), 'CapEff:')}`);
    const run = fx.run(['cat', '/proc/1/oom_score_adj'], { resources: { oomScoreAdj: -500 } });
    if ((capEff >> 24n) & 1n) expect((await run).log.trim()).toBe('-500');
    else await expect(run).rejects.toThrow(/oom_score_adj -500 .*without CAP_SYS_RESOURCE/);
  });

  it('devices: the host /dev/zero appears as /dev/stkzero, readable, with the host node mode', async () => {
    const { exit, log } = await fx.run(
      ['sh', '-c', 'echo "bytes $(head -c 16 /dev/stkzero | wc -c)"; stat -c "node %t:%T %a %F" /dev/stkzero'],
      { resources: { devices: [{ source: '/dev/zero', target: '/dev/stkzero', permissions: 'rwm' }] } },
    );
    expect(exit.exitCode).toBe(0);
    expect(field(log, 'bytes')).toBe('16');
    expect(field(log, 'node')).toBe(
      `1:5 ${(fs.statSync('/dev/zero').mode & 0o777).toString(8)} character special file`,
    );
  });

  it('devices permissions and device_cgroup_rules decide whether the node opens', async () => {
    // loop-control (c 10:237) is not in the default list: made with m only, it cannot be opened;
    // a device_cgroup_rules entry allowing r opens it.
    const node = { source: '/dev/loop-control', target: '/dev/stk/loopctl', permissions: 'm' };
    const argv = ['sh', '-c', 'if head -c 0 /dev/stk/loopctl; then echo "open yes"; else echo "open no"; fi'];
    const denied = await fx.run(argv, { resources: { devices: [node] } });
    expect(field(denied.log, 'open')).toBe('no');
    const allowed = await fx.run(argv, { resources: { devices: [node], deviceCgroupRules: ['c 10:237 r'] } });
    expect(field(allowed.log, 'open')).toBe('yes');
  });

  it('a devices source that does not exist stops the start, naming it', async () => {
    const devices = [{ source: '/dev/stk-no-such-device', target: '/dev/x', permissions: 'rwm' }];
    await expect(fx.run(['true'], { resources: { devices } })).rejects.toThrow(
      /devices: \/dev\/stk-no-such-device does not exist on this host/,
    );
  });

  it('cpuset pins the container to the CPUs given, seen in its own status', async () => {
    const cpu = String(os.availableParallelism() - 1);
    const { exit, log } = await fx.run(['grep', 'Cpus_allowed_list', '/proc/self/status'], {
      resources: { cpuset: cpu },
    });
    expect(exit.exitCode).toBe(0);
    expect(field(log, 'Cpus_allowed_list:')).toBe(cpu);
  });

  it('cpu_period, cpu_quota, mem_swappiness and oom_kill_disable are in the cgroup files the container sees', async () => {
    const v1 = cgroupVersion() === 'v1';
    const script = v1
      ? 'echo "period $(cat /sys/fs/cgroup/cpu/cpu.cfs_period_us)"; echo "quota $(cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us)"; echo "swappiness $(cat /sys/fs/cgroup/memory/memory.swappiness)"; grep oom_kill_disable /sys/fs/cgroup/memory/memory.oom_control'
      : 'echo "max $(cat /sys/fs/cgroup/cpu.max)"';
    const { exit, log } = await fx.run(['sh', '-c', script], {
      resources: { cpuPeriodUs: 50_000, cpuQuotaUs: 25_000, memorySwappiness: 10, oomKillDisable: true },
    });
    expect(exit.exitCode).toBe(0);
    if (v1) {
      expect(field(log, 'period')).toBe('50000');
      expect(field(log, 'quota')).toBe('25000');
      expect(field(log, 'swappiness')).toBe('10');
      expect(field(log, 'oom_kill_disable')).toBe('1');
    } else expect(field(log, 'max')).toBe('25000 50000');
  });

  it('cpu_rt_runtime and cpu_rt_period (v1, CONFIG_RT_GROUP_SCHED): the container sees its budget, the levels above get room first and give it back', async () => {
    const cpuRoot = '/sys/fs/cgroup/cpu';
    // This host has realtime group scheduling; a v2 or RT-less host refuses the keys at load (test/planner/cgroup-knobs.test.ts).
    expect(fs.existsSync(path.join(cpuRoot, 'cpu.rt_runtime_us'))).toBe(true);
    const rt = (...p: string[]) => Number(fs.readFileSync(path.join(cpuRoot, ...p, 'cpu.rt_runtime_us'), 'utf8'));
    const stackBefore = rt('stack');
    const s = fx.spec(
      [
        'sh',
        '-c',
        'echo "rt $(cat /sys/fs/cgroup/cpu/cpu.rt_runtime_us) $(cat /sys/fs/cgroup/cpu/cpu.rt_period_us)"; sleep 30',
      ],
      {
        resources: { cpuRtRuntimeUs: 10_000, cpuRtPeriodUs: 500_000 },
      },
    );
    await fx.start(s);
    try {
      expect(rt('stack', fx.project)).toBeGreaterThanOrEqual(20_000); // 2% of its 1 s period
      expect(rt('stack')).toBeGreaterThanOrEqual(stackBefore + 20_000);
      expect(await waitFor(() => field(fx.logOf(s), 'rt'), 10_000, 'the container to print its budget')).toBe(
        '10000 500000',
      );
    } finally {
      await fx.removeAll(s.name);
    }
    // The project level stays while other containers of this file's project are there, without budget.
    if (fs.existsSync(path.join(cpuRoot, 'stack', fx.project))) expect(rt('stack', fx.project)).toBe(0);
    expect(rt('stack')).toBe(stackBefore);
  });

  it('blkio_config rates are written for the named disk; a missing device path stops the start naming it', async () => {
    const disk = hostDisk();
    const s = fx.spec(['sleep', '30'], {
      resources: {
        blkio: {
          weightDevice: [],
          readBps: [{ path: disk.path, value: 1_048_576 }],
          writeBps: [],
          readIops: [],
          writeIops: [{ path: disk.path, value: 120 }],
        },
      },
    });
    await fx.start(s);
    try {
      if (cgroupVersion() === 'v1') {
        const dir = cgroupDirs(fx.project, s.name).find((d) => d.includes('/blkio/'))!;
        expect(fs.readFileSync(path.join(dir, 'blkio.throttle.read_bps_device'), 'utf8')).toContain(
          `${disk.number} 1048576`,
        );
        expect(fs.readFileSync(path.join(dir, 'blkio.throttle.write_iops_device'), 'utf8')).toContain(
          `${disk.number} 120`,
        );
      } else {
        const io = fs.readFileSync(path.join(cgroupDirs(fx.project, s.name)[0]!, 'io.max'), 'utf8');
        expect(io).toContain(`${disk.number} rbps=1048576 wbps=max riops=max wiops=120`);
      }
    } finally {
      await fx.removeAll(s.name);
    }
    const missing = {
      weightDevice: [],
      readBps: [{ path: '/dev/stk-no-disk', value: 1 }],
      writeBps: [],
      readIops: [],
      writeIops: [],
    };
    await expect(fx.run(['true'], { resources: { blkio: missing } })).rejects.toThrow(
      /blkio_config: \/dev\/stk-no-disk does not exist on this host/,
    );
  });
});
