// Privileged: a container sees its own cgroup at /sys/fs/cgroup, read-only, as docker
// mounts it (runtimes such as the JVM and Node read their memory limit there), checked from
// inside real containers against both init stages. This host is cgroup v1: each controller
// stack uses is a cgroup mount under a tmpfs, rooted at the container's own group by its
// cgroup namespace. The v2 mount (one cgroup2 filesystem) needs a v2 host to run on.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { busyboxFixture } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';
import { cgroupVersion, V1_CONTROLLERS } from '../../executor/host/linux/cgroups.js';
import { cgroupView, knownControllers, v1Hierarchies } from '../../executor/host/linux/cgroup-view.js';
import { encodeNativeConfig } from '../../executor/host/linux/native-init.js';
import type { InitConfig } from '../../executor/host/linux/init/config.js';

const fx = busyboxFixture('cgroupview');

/** An init config with nothing in it but what the native encoding needs. */
const nativeConfigBase: InitConfig = {
  container: 'c',
  koffiNative: '/k.node',
  cgroupProcs: [],
  lowerdirs: ['/l'],
  upperdir: '/u',
  workdir: '/w',
  rootfs: '/r',
  hostname: 'h',
  etcFiles: { hosts: '/h', hostname: '/n', 'resolv.conf': '/c' },
  mounts: [],
  argv: ['true'],
  env: [],
  cwd: '/',
  waitForRelease: false,
  security: {
    privileged: false,
    user: '',
    readOnlyRootfs: false,
    shmSizeBytes: 1,
    sysctls: {},
    capabilities: [],
    noNewPrivileges: true,
    seccomp: 'unconfined',
    ulimits: {},
  },
};

beforeAll(() => fx.buildLayer());
afterAll(() => fx.cleanupAll());

/** Runs `script` in a container with a 64 MiB memory limit and 77 pids; its output as name → value lines. */
async function inside(script: string, overrides: Parameters<typeof fx.run>[1] = {}): Promise<Record<string, string>> {
  const { exit, log } = await fx.run(['sh', '-c', script], {
    resources: { memoryBytes: 64 << 20, pidsLimit: 77 },
    ...overrides,
  });
  expect([exit.exitCode, log]).toEqual([0, expect.any(String)]);
  return Object.fromEntries(
    log
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** `name=ok` when `command` succeeds, `name=denied` when it fails. */
const attempt = (name: string, command: string) =>
  `if (${command}) 2>/dev/null; then echo ${name}=ok; else echo ${name}=denied; fi`;

describe.each(INIT_STAGES)('/sys/fs/cgroup inside a container (%s init stage)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('shows the container its own limits, and nothing of it can be written', async () => {
    expect(cgroupVersion()).toBe('v1');
    const seen = await inside(
      [
        'echo memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)',
        'echo pids=$(cat /sys/fs/cgroup/pids/pids.max)',
        // Its own group is the root of the view: PID 1 (this shell) is in it.
        'echo procs=$(cat /sys/fs/cgroup/memory/cgroup.procs | head -1)',
        'echo self=$(grep memory /proc/self/cgroup)',
        'echo list=$(ls /sys/fs/cgroup | tr "\\n" " ")',
        attempt('write', 'echo 1000000 > /sys/fs/cgroup/memory/memory.limit_in_bytes'),
        attempt('mkdir', 'mkdir /sys/fs/cgroup/memory/sub'),
        attempt('create', 'touch /sys/fs/cgroup/x'),
      ].join('; '),
    );
    expect(seen).toEqual({
      memory: String(64 << 20),
      pids: '77',
      procs: '1',
      self: expect.stringMatching(/:memory:\/$/),
      list: expect.stringMatching(/^(?=.*\bmemory\b)(?=.*\bpids\b)(?=.*\bcpu\b)(?=.*\bdevices\b)/),
      write: 'denied',
      mkdir: 'denied',
      create: 'denied',
    });
    // And nothing of the host's hierarchy: only the controllers stack puts containers in.
    expect(seen.list).not.toMatch(/\b(blkio|freezer|systemd|unified)\b/);
  });

  it('is there with a read-only rootfs too', async () => {
    expect(
      await inside('echo memory=$(cat /sys/fs/cgroup/memory/memory.limit_in_bytes)', { readOnlyRootfs: true }),
    ).toEqual({ memory: String(64 << 20) });
  });

  it('a privileged container may write its own groups, as with docker', async () => {
    const seen = await inside(
      [attempt('mkdir', 'mkdir /sys/fs/cgroup/memory/sub && rmdir /sys/fs/cgroup/memory/sub')].join('; '),
      { privileged: true },
    );
    expect(seen).toEqual({ mkdir: 'ok' });
  });

  it('leaves /sys/fs/cgroup to a volume the file mounts there', async () => {
    const dir = path.join(fx.tmp, `own-cgroup-${stage}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'mine'), 'x');
    const seen = await inside('echo list=$(ls /sys/fs/cgroup)', {
      mounts: [{ type: 'bind', source: dir, target: '/sys/fs/cgroup', readOnly: true }],
    });
    expect(seen).toEqual({ list: 'mine' });
  });
});

// What the supervisor decides, for hosts other than this one: systemd's v1 layout with cpu
// and cpuacct in one hierarchy, and v2 (whose mount can only run on a v2 host).
describe('the view the supervisor decides', () => {
  const debianV1 = [
    '30 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755',
    '31 30 0:27 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate',
    '32 30 0:28 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd',
    '35 30 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,cpu,cpuacct',
    '36 30 0:32 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,memory',
    '37 30 0:33 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,net_cls,net_prio',
    '38 30 0:34 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,pids',
    '39 30 0:35 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,devices',
    '40 36 0:32 /sub /mnt/again rw - cgroup cgroup rw,memory',
  ].join('\n');
  const known = knownControllers(
    '#subsys_name\thierarchy\tnum_cgroups\tenabled\ncpu\t4\t1\t1\ncpuacct\t4\t1\t1\nmemory\t5\t1\t1\nnet_cls\t6\t1\t1\nnet_prio\t6\t1\t1\npids\t7\t1\t1\ndevices\t8\t1\t1\n',
  );
  const hierarchies = v1Hierarchies(debianV1, known, V1_CONTROLLERS);

  it("v1: the hierarchies of stack's controllers once each, co-mounted ones linked by controller", () => {
    expect(hierarchies).toEqual([['cpu', 'cpuacct'], ['memory'], ['pids'], ['devices']]);
    expect(cgroupView('v1', hierarchies, [], false)).toEqual({
      version: 'v1',
      readOnly: true,
      hierarchies: ['cpu,cpuacct', 'memory', 'pids', 'devices'],
      links: [
        ['cpu', 'cpu,cpuacct'],
        ['cpuacct', 'cpu,cpuacct'],
      ],
    });
  });

  it('v2: one cgroup2 mount; read-only unless privileged', () => {
    expect(cgroupView('v2', [], [], false)).toEqual({ version: 'v2', readOnly: true, hierarchies: [], links: [] });
    expect(cgroupView('v2', [], [], true)?.readOnly).toBe(false);
  });

  it('none where a mount of the file covers /sys/fs/cgroup or lies inside it', () => {
    for (const target of [
      '/sys/fs/cgroup',
      '/sys/fs/cgroup/',
      '/sys',
      '/sys/fs',
      '/sys/fs/cgroup/memory',
      '/sys//fs/cgroup',
    ]) {
      expect([target, cgroupView('v1', hierarchies, [{ target }], false)]).toEqual([target, undefined]);
    }
    for (const target of ['/sys/fs/cgroupx', '/data', '/sys/kernel'])
      expect(cgroupView('v2', [], [{ target }], false)).toBeDefined();
  });

  it('reaches the native stage as config lines', () => {
    const view = cgroupView('v1', hierarchies, [], false)!;
    const lines = encodeNativeConfig({ ...nativeConfigBase, cgroupView: view })
      .split('\n')
      .filter((l) => l.startsWith('cgroupfs'));
    expect(lines).toEqual([
      'cgroupfs 1 1',
      'cgroupfs-hierarchy cpu,cpuacct',
      'cgroupfs-hierarchy memory',
      'cgroupfs-hierarchy pids',
      'cgroupfs-hierarchy devices',
      'cgroupfs-link cpu cpu,cpuacct',
      'cgroupfs-link cpuacct cpu,cpuacct',
    ]);
    expect(encodeNativeConfig({ ...nativeConfigBase, cgroupView: cgroupView('v2', [], [], true)! })).toMatch(
      /^cgroupfs 2 0$/m,
    );
    expect(encodeNativeConfig(nativeConfigBase)).not.toMatch(/^cgroupfs/m);
  });
});
