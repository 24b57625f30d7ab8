// Privileged: each isolation property is checked from INSIDE a real container, by running
// busybox (and a tiny static syscall probe built from fixtures/syscall-probe.c) in it and
// reading what it printed. Every container is removed in teardown.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { effectiveCapabilities } from '../../model/capabilities.js';
import { cgroupDirs } from '../../executor/host/linux/cgroups.js';
import { busyboxFixture } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';

const fx = busyboxFixture('isolation');
const probeBin = path.join(fx.tmp, 'syscall-probe');

beforeAll(() => {
  execFileSync('gcc', ['-static', '-O1', '-o', probeBin, path.join(import.meta.dirname, 'fixtures/syscall-probe.c')]);
  fx.buildLayer({ probe: probeBin });
});
afterAll(() => fx.cleanupAll());

const caps = (capAdd: string[] = [], capDrop: string[] = []) =>
  effectiveCapabilities({ privileged: false, capAdd, capDrop });
const line = (log: string, prefix: string) => log.split('\n').find((l) => l.startsWith(prefix));

/** Runs the probe over `calls` and returns name → errno name ("ok" on success). */
async function probe(calls: string[], overrides: Parameters<typeof fx.run>[1] = {}): Promise<Record<string, string>> {
  const { exit, log } = await fx.run(['probe', ...calls], overrides);
  expect(exit.exitCode).toBe(0);
  return Object.fromEntries(
    log
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string]),
  );
}

// Calls the default filter denies whatever the capabilities (nothing guards them in the kernel).
const ALWAYS = ['keyctl', 'add_key', 'request_key', 'io_uring_setup'];
// Calls it denies unless the container keeps the capability that needs them.
const GUARDED = [
  'init_module',
  'finit_module',
  'delete_module',
  'kexec_load',
  'kexec_file_load',
  'reboot',
  'bpf',
  'perf_event_open',
  'userfaultfd',
  'open_by_handle_at',
  'mount',
  'umount2',
  'pivot_root',
  'unshare',
  'setns',
  'clone_newns',
  'swapon',
  'swapoff',
  'clock_settime',
  'settimeofday',
  'adjtimex',
  'acct',
];

describe.each(INIT_STAGES)('isolation seen from inside a container (%s init stage)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('the default seccomp filter answers EPERM to the listed calls, and it is the filter that does', async () => {
    const confined = await probe([...ALWAYS, ...GUARDED, 'getpid']);
    for (const call of [...ALWAYS, ...GUARDED]) expect([call, confined[call]]).toEqual([call, 'EPERM']);
    expect(confined.getpid).toBe('ok');
    // Every capability but no filter: each call reaches the kernel, which rejects the probe's
    // harmless arguments with something else. So the EPERMs above came from the filter.
    const open = await probe([...ALWAYS, ...GUARDED], { capabilities: caps(['ALL']), seccomp: 'unconfined' });
    for (const call of [...ALWAYS, ...GUARDED]) expect([call, open[call]]).not.toEqual([call, 'EPERM']);
    // Every capability with the filter: the calls nothing guards stay denied, the rest pass.
    const allCaps = await probe([...ALWAYS, ...GUARDED], { capabilities: caps(['ALL']) });
    for (const call of ALWAYS) expect([call, allCaps[call]]).toEqual([call, 'EPERM']);
    for (const call of GUARDED) expect([call, allCaps[call]]).not.toEqual([call, 'EPERM']);
    // With CAP_SYS_ADMIN only the mount family opens up; module loading stays shut.
    const sysAdmin = await probe(['mount', 'unshare', 'clone_newns', 'init_module', 'keyctl'], {
      capabilities: caps(['SYS_ADMIN']),
    });
    expect(sysAdmin).toEqual({
      mount: 'EFAULT',
      unshare: 'EINVAL',
      clone_newns: 'EINVAL',
      init_module: 'EPERM',
      keyctl: 'EPERM',
    });
  });

  it('cannot mount, reboot, set the clock, create a user namespace, write /proc/sys or /sys; its hostname is its own', async () => {
    const { exit, log, spec } = await fx.run([
      'sh',
      '-c',
      [
        'hostname',
        'mount -t tmpfs none /tmp 2>&1',
        'reboot -f 2>&1',
        'date -s 2001-01-01 2>&1',
        'unshare -U true 2>&1',
        'echo 1 | dd of=/proc/sys/kernel/panic 2>&1',
        'echo 1 | dd of=/proc/sys/kernel/domainname 2>&1',
        'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status',
        'echo "keys:$(wc -c < /proc/keys)"',
        'touch /sys/x 2>&1 || echo sys-ro',
      ].join('; '),
    ]);
    expect(exit.exitCode).toBe(0);
    const lines = log.split('\n');
    expect(lines[0]).toBe(spec.hostname);
    expect(lines).toContain('mount: permission denied (are you root?)'); // busybox's words for EPERM
    expect(log).toMatch(/^reboot: .*Operation not permitted$/m);
    expect(log).toMatch(/date: can't set date: Operation not permitted/);
    expect(log).toMatch(/unshare: unshare\(0x10000000\): Operation not permitted/);
    // A host-wide knob, and even one the container's own uts namespace would allow.
    expect(lines).toContain("dd: can't open '/proc/sys/kernel/panic': Read-only file system");
    expect(lines).toContain("dd: can't open '/proc/sys/kernel/domainname': Read-only file system");
    expect(lines).toContain('Seccomp:\t2');
    // docker's default (docs/security.md): off, and the seccomp filter above loads all the same.
    expect(lines).toContain('NoNewPrivs:\t0');
    expect(lines).toContain('keys:0');
    expect(lines).toContain('sys-ro');
  });

  it("keeps exactly docker's default capabilities, changed by cap_add and cap_drop", async () => {
    const capEff = async (capabilities: string[]) =>
      line((await fx.run(['grep', 'CapEff', '/proc/self/status'], { capabilities })).log, 'CapEff:');
    expect(await capEff(caps())).toBe('CapEff:\t00000000a80425fb');
    expect(await capEff(caps(['NET_ADMIN']))).toBe('CapEff:\t00000000a80435fb');
    expect(await capEff(caps([], ['CHOWN', 'NET_RAW']))).toBe('CapEff:\t00000000a80405fa');
    expect(await capEff(caps(['SYS_TIME'], ['ALL']))).toBe('CapEff:\t0000000002000000');
  });

  it('privileged: every capability the host has, no filter, no masks, /sys writable, host devices', async () => {
    const { log } = await fx.run(
      [
        'sh',
        '-c',
        'grep -E "^(CapEff|Seccomp|NoNewPrivs):" /proc/self/status; echo "timer_list:$(wc -c < /proc/timer_list)"; grep " /sys " /proc/self/mountinfo; ls /dev',
      ],
      {
        privileged: true,
        capabilities: effectiveCapabilities({ privileged: true, capAdd: [], capDrop: [] }),
        noNewPrivileges: false,
      },
    );
    const hostCapPrm = line(fs.readFileSync('/proc/self/status', 'utf8'), 'CapPrm:')!.slice(7).trim();
    expect(line(log, 'CapEff:')).toBe(`CapEff:\t${hostCapPrm}`);
    expect(line(log, 'Seccomp:')).toBe('Seccomp:\t0');
    expect(line(log, 'NoNewPrivs:')).toBe('NoNewPrivs:\t0');
    expect(Number(line(log, 'timer_list:')!.slice(11))).toBeGreaterThan(0);
    expect(log).toMatch(/ \/sys rw,/);
    expect(log.split('\n')).toContain('loop-control');
  });

  it('runs as the user of `user:` (names from the image, supplementary groups, HOME) with no capabilities', async () => {
    const show = 'id; echo "home:$HOME"; grep CapEff /proc/self/status';
    const byName = (await fx.run(['sh', '-c', show], { user: 'app' })).log.split('\n');
    expect(byName[0]).toBe('uid=1000(app) gid=1000(app) groups=29(audio),50(staff),1000(app)'); // the kernel sorts them;
    expect(byName).toContain('home:/home/app');
    expect(byName).toContain('CapEff:\t0000000000000000');
    const numeric = (await fx.run(['sh', '-c', 'id -u; id -g; echo "home:$HOME"'], { user: '4321:staff' })).log.split(
      '\n',
    );
    expect(numeric.slice(0, 3)).toEqual(['4321', '50', 'home:/']);
    const s = fx.spec(['true'], { user: 'nobody-here' });
    await fx.spawnOnly(s);
    const err = await fx.containers.release(fx.project, s.name).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(err?.message).toBe(
      `container ${s.name}: init failed at resolve user: unable to find user nobody-here: no matching entries in passwd file`,
    );
  });

  it("applies ulimits, and refuses one above the host's hard limit before starting", async () => {
    const { log } = await fx.run(['sh', '-c', 'ulimit -n; ulimit -Hn'], {
      ulimits: { nofile: { soft: 1000, hard: 2000 } },
    });
    expect(log.split('\n').slice(0, 2)).toEqual(['1000', '2000']);
    const hostHard = Number(
      fs
        .readFileSync('/proc/self/limits', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('Max open files'))!
        .slice(26)
        .trim()
        .split(/\s+/)[1],
    );
    const capEff = BigInt(`0x${line(fs.readFileSync('/proc/self/status', 'utf8'), 'CapEff:')!.slice(7).trim()}`);
    if (((capEff >> 24n) & 1n) === 0n) {
      const err = await fx.containers
        .prepare(fx.spec(['true'], { ulimits: { nofile: { soft: hostHard + 1, hard: hostHard + 1 } } }))
        .then(
          () => undefined,
          (e: Error) => e,
        );
      expect(err?.message).toMatch(
        new RegExp(
          `ulimit nofile ${hostHard + 1} is above this host's hard limit ${hostHard} .*set ulimits.nofile to at most ${hostHard}`,
        ),
      );
    }
  });

  it('read_only rejects writes to the root but not to its tmpfs mounts; shm_size and working_dir apply', async () => {
    const { log } = await fx.run(
      ['sh', '-c', 'pwd; touch /x 2>&1; touch /scratch/ok && echo scratch-ok; df -k /dev/shm | tail -1'],
      {
        readOnlyRootfs: true,
        cwd: '/work/dir',
        shmSizeBytes: 8 * 1024 * 1024,
        mounts: [{ type: 'tmpfs', source: '', target: '/scratch', readOnly: false, tmpfsSize: 1024 * 1024 }],
      },
    );
    const lines = log.split('\n');
    expect(lines[0]).toBe('/work/dir');
    expect(lines[1]).toMatch(/touch: \/x: Read-only file system/);
    expect(lines).toContain('scratch-ok');
    expect(lines.find((l) => l.startsWith('shm'))).toMatch(/^shm\s+8192\s/);
  });

  it('writes namespaced sysctls inside the container only', async () => {
    const host = fs.readFileSync('/proc/sys/kernel/msgmax', 'utf8').trim();
    const { log } = await fx.run(['cat', '/proc/sys/kernel/msgmax', '/proc/sys/net/ipv4/ip_unprivileged_port_start'], {
      sysctls: { 'kernel.msgmax': '12345', 'net.ipv4.ip_unprivileged_port_start': '80' },
    });
    expect(log.split('\n').slice(0, 2)).toEqual(['12345', '80']);
    expect(fs.readFileSync('/proc/sys/kernel/msgmax', 'utf8').trim()).toBe(host);
  });

  it('init: true runs tini as PID 1 in front of the command and passes its exit code on', async () => {
    const { exit, log } = await fx.run(['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo; exit 7'], {
      init: true,
    });
    expect(log.split('\n')[0]).toBe('/sbin/docker-init -- sh -c cat /proc/1/cmdline | tr "\\0" " "; echo; exit 7 ');
    expect(exit.exitCode).toBe(7);
  });

  it('a memory limit OOM-kills with 137 and reports OOMKilled', async () => {
    const { exit } = await fx.run(['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'], {
      resources: { memoryBytes: 16 * 1024 * 1024 },
    });
    expect(exit.exitCode).toBe(137);
    expect(exit.oomKilled).toBe(true);
    const fine = await fx.run(['true'], { resources: { memoryBytes: 16 * 1024 * 1024 } });
    expect(fine.exit).toEqual({ project: fx.project, name: fine.spec.name, pid: expect.any(Number), exitCode: 0 });
  });

  it('a pids limit stops a fork bomb, and stopping the container removes every process', async () => {
    // The subshell forks until the kernel refuses; the shell then execs (no fork) into sleep.
    const s = fx.spec(['sh', '-c', '(while :; do sleep 30 & done) 2>&1; echo bomb-stopped; exec sleep 30'], {
      resources: { pidsLimit: 20 },
    });
    const { exit } = await fx.start(s);
    for (let i = 0; i < 250 && !fx.logOf(s).includes('bomb-stopped'); i++) await new Promise((r) => setTimeout(r, 20));
    const pidsDir =
      cgroupDirs(fx.project, s.name).find((d) => d.includes('/pids/')) ?? cgroupDirs(fx.project, s.name)[0]!;
    expect(fs.readFileSync(path.join(pidsDir, 'pids.max'), 'utf8').trim()).toBe('20');
    // At the refusal 20 ran (outer shell, subshell, 18 sleeps); the subshell has exited since.
    expect(Number(fs.readFileSync(path.join(pidsDir, 'pids.current'), 'utf8'))).toBe(19);
    expect(
      Number(/^max (\d+)$/m.exec(fs.readFileSync(path.join(pidsDir, 'pids.events'), 'utf8'))?.[1]),
    ).toBeGreaterThan(0);
    expect(fx.logOf(s)).toMatch(/can't fork: Resource temporarily unavailable\nbomb-stopped\n/);
    await fx.removeAll(s.name);
    expect((await exit).exitCode).toBe(137);
  });
});
