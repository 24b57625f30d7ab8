// Privileged: makes real containers (namespaces, overlay, cgroups) from a busybox layer
// built by hand in a temporary STACK_ROOT. Every container is stopped and cleaned in
// teardown, and the suite checks that no mount, cgroup or process is left behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createLinuxContainers } from '../../executor/host/linux/container-runtime.js';
import { ContainerStartError, type ContainerExit } from '../../executor/host.js';
import { cgroupDirs, cgroupPids } from '../../executor/host/linux/cgroups.js';
import { paths } from '../../store/paths.js';
import { isSameProcess, readStartTime } from '../../store/proc-stat.js';
import { spawn } from 'node:child_process';
import { busyboxFixture, UNWIRED_ENDPOINT } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';

const fx = busyboxFixture('runtime');
const { project, layer, state, containers, made, pids, exits, spec, start, logOf, mountsMentioningTmp, removeAll } = fx;

/** A grace far longer than any stop here: a stop that waited it out would lose the race below. */
const LONG_GRACE_S = 60;

/** Whether `stop` settled before half the grace elapsed, i.e. without waiting for the grace. */
async function stoppedWithoutGrace(stop: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const halfGrace = new Promise<false>((r) => (timer = setTimeout(() => r(false), (LONG_GRACE_S * 1000) / 2)));
  try {
    return await Promise.race([stop.then(() => true as const), halfGrace]);
  } finally {
    clearTimeout(timer);
  }
}

beforeAll(() => fx.buildLayer());
afterAll(() => fx.cleanupAll());

describe.each(INIT_STAGES)('linux containers (%s init stage)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('runs a command as PID 1 with its own hostname, processes, rootfs and Docker default caps', async () => {
    const s = spec([
      'sh',
      '-c',
      'hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; ps; id; grep CapEff /proc/self/status; ls /; cat /etc/hosts; echo "env:$FOO"; echo "timer_list:$(wc -c < /proc/timer_list)"; grep " /proc/sys " /proc/self/mountinfo; ls /dev | tr "\\n" " "; echo',
    ]);
    const { exit } = await start(s);
    expect((await exit).exitCode).toBe(0);
    const lines = logOf(s).split('\n');
    expect(lines[0]).toBe(s.hostname);
    expect(lines[1]).toBe(`${s.argv.join(' ')} `);
    const psRows = lines.slice(
      lines.findIndex((l) => /^\s*PID\s+USER/.test(l)) + 1,
      lines.findIndex((l) => l.startsWith('uid=')),
    );
    // Only the container's processes: its PID 1 and the ps that sh forked.
    expect(psRows).toHaveLength(2);
    expect(psRows[0]).toMatch(/^\s+1 root\s+sh -c hostname;/);
    expect(psRows[1]).toMatch(/^\s+\d+ root\s+\{?ps\b/);
    expect(lines).toContain('uid=0(root) gid=0(root) groups=0(root)');
    expect(lines).toContain('CapEff:\t00000000a80425fb');
    const top = fs.readdirSync(paths.layerDir(layer)).sort();
    const lsStart = lines.findIndex((l) => l.startsWith('CapEff')) + 1;
    expect(lines.slice(lsStart, lsStart + top.length)).toEqual(top);
    expect(lines).toContain('10.0.0.9\tdb');
    expect(lines).toContain('env:bar');
    // Masked and read-only /proc paths; a private /dev with only the standard nodes.
    expect(fs.readFileSync('/proc/timer_list').length).toBeGreaterThan(0);
    expect(lines).toContain('timer_list:0');
    expect(lines.find((l) => /^\d+ \d+ /.test(l) && l.includes(' /proc/sys '))).toMatch(/ \/proc\/sys ro,/);
    expect(
      lines
        .find((l) => l.startsWith('fd '))
        ?.trim()
        .split(' ')
        .sort(),
    ).toEqual([
      'fd',
      'full',
      'null',
      'ptmx',
      'pts',
      'random',
      'shm',
      'stderr',
      'stdin',
      'stdout',
      'tty',
      'urandom',
      'zero',
    ]);
    await removeAll(s.name);
  });

  it('delivers the stop signal to a PID 1 that handles it and lets it exit by itself', async () => {
    const s = spec(['sh', '-c', 'trap "echo bye; exit 3" TERM; echo ready; while :; do sleep 0.05; done']);
    const { exit } = await start(s);
    for (let i = 0; i < 100 && !logOf(s).includes('ready'); i++) await new Promise((r) => setTimeout(r, 20));
    await containers.stop(project, s.name, 'SIGTERM', 5);
    expect((await exit).exitCode).toBe(3);
    expect(logOf(s)).toContain('bye');
    await containers.cleanup(project, s.name);
    await state.removeContainer(project, s.name);
    made.delete(s.name);
  });

  it('stops a long-running container, escalating to SIGKILL when SIGTERM is ignored', async () => {
    for (const argv of [
      ['sleep', '1000'],
      ['sh', '-c', 'trap "" TERM; sleep 1000'],
    ]) {
      const s = spec(argv);
      const { pid, startTime, exit } = await start(s);
      await new Promise((r) => setTimeout(r, 100));
      expect(isSameProcess(pid, startTime)).toBe(true);
      // The rootfs and /proc mounts exist only in the container's mount namespace.
      expect(mountsMentioningTmp()).toEqual([]);
      expect(fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8')).toMatch(/ \/ rw,relatime - overlay overlay /);
      // PID 1 without a handler never receives SIGTERM: SIGKILL follows at once, no grace wait.
      expect(await stoppedWithoutGrace(containers.stop(project, s.name, 'SIGTERM', LONG_GRACE_S))).toBe(true);
      expect((await exit).exitCode).toBe(128 + 9);
      expect(isSameProcess(pid, startTime)).toBe(false);
      expect(await cgroupPids(project, s.name)).toEqual([]);
      await containers.cleanup(project, s.name);
      await containers.cleanup(project, s.name); // idempotent
      for (const dir of cgroupDirs(project, s.name)) expect(fs.existsSync(dir)).toBe(false);
      expect(fs.existsSync(paths.containerDir(project, s.name))).toBe(false);
      expect(mountsMentioningTmp()).toEqual([]);
      await state.removeContainer(project, s.name);
      made.delete(s.name);
    }
  });

  it('stops a container it did not spawn (adopted from the state record)', async () => {
    const s = spec(['sleep', '1000']);
    const { pid, startTime, exit } = await start(s);
    const adopted = createLinuxContainers(state); // a fresh supervisor: records only
    await adopted.stop(project, s.name, 'SIGKILL', 5);
    expect(isSameProcess(pid, startTime)).toBe(false);
    expect((await exit).exitCode).toBe(128 + 9);
    await adopted.cleanup(project, s.name);
    for (const dir of cgroupDirs(project, s.name)) expect(fs.existsSync(dir)).toBe(false);
    await state.removeContainer(project, s.name);
    made.delete(s.name);
  });

  it('never signals a reused pid (start time differs from the record)', async () => {
    const s = spec(['sleep', '1000']);
    const bystander = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = bystander.pid!;
      const startTime = readStartTime(pid)!;
      await state.saveContainer(project, { spec: s, status: 'running', pid, startTime: startTime + 1 });
      await containers.stop(project, s.name, 'SIGKILL', 0);
      expect(isSameProcess(pid, startTime)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
      await state.removeContainer(project, s.name);
    }
  });

  it('stops an init stage that was never released without waiting for the grace period', async () => {
    // An endpoint to wire makes the init stage wait for release (it is never attached here).
    const s = spec(['sleep', '1000'], { endpoints: [UNWIRED_ENDPOINT] });
    const { pid, startTime, exit } = await fx.spawnOnly(s);
    await state.saveContainer(project, { spec: s, status: 'starting', pid, startTime });
    expect(await stoppedWithoutGrace(containers.stop(project, s.name, 'SIGTERM', LONG_GRACE_S))).toBe(true);
    // It leaves on its own when its release pipe closes (127), or the SIGKILL that follows
    // a SIGTERM PID 1 cannot receive gets there first (137): either way, not the command.
    expect([127, 137]).toContain((await exit).exitCode);
    expect(logOf(s)).toBe('');
  });

  it('reports an unknown executable as a ContainerStartError', async () => {
    const s = spec(['no-such-program', 'x']);
    const exit = new Promise<ContainerExit>((r) => exits.set(s.name, r));
    made.add(s.name);
    await containers.prepare(s);
    const { pid } = await containers.spawn(s);
    pids.add(pid);
    const err = await containers.release(project, s.name).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContainerStartError);
    expect((err as ContainerStartError).message).toBe(
      `container ${s.name}: init failed at lookup: executable file not found in $PATH: no-such-program`,
    );
    expect((await exit).exitCode).toBe(127);
  });

  it('reports a failed mount with its step, and the init stage is gone', async () => {
    const s = spec(['true']);
    made.add(s.name);
    await containers.prepare(s);
    fs.rmSync(path.join(paths.containerDir(project, s.name), 'work'), { recursive: true });
    const err = await containers.spawn(s).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContainerStartError);
    expect((err as ContainerStartError).step).toBe('mount overlay');
    expect((err as ContainerStartError).message).toMatch(/init failed at mount overlay: mount\(.*\) failed: ENOENT/);
    expect(await cgroupPids(project, s.name)).toEqual([]);
  });

  it('starts /bin/true quickly (median of 10 prepare+spawn+release)', async () => {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = spec(['/bin/true']);
      const t0 = performance.now();
      const { exit } = await start(s);
      times.push(performance.now() - t0);
      expect((await exit).exitCode).toBe(0);
      await removeAll(s.name);
      made.delete(s.name);
    }
    times.sort((a, b) => a - b);
    console.log(
      `container start (prepare+spawn+release of /bin/true): median ${((times[4]! + times[5]!) / 2).toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`,
    );
  });
});
