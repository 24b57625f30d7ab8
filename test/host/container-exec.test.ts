// Privileged: processes exec'd into real running containers (Host['containers'].exec):
// they share the container's namespaces, cgroup, capabilities and environment, run as
// the asked user in the asked directory, and report their exit code.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerSpec } from '../../model/plan.js';
import type { ExecOptions } from '../../executor/host.js';
import { createLinuxContainers } from '../../executor/host/linux/container-runtime.js';
import { ContainerExecError } from '../../executor/host.js';
import { createStateStore } from '../../store/state-store.js';
import { cgroupDirs } from '../../executor/host/linux/cgroups.js';
import { buildBusyboxLayer, busyboxSpec } from '../support/busybox-layer.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-exec-'));
process.env.STACK_ROOT = path.join(tmp, 'root');
process.env.STACK_RUN = path.join(tmp, 'run');
const project = `stkx${crypto.randomBytes(3).toString('hex')}`;
const state = createStateStore();
const containers = createLinuxContainers(state);
let layer = '';
let box: ContainerSpec;
let boxPid = 0;

async function start(s: ContainerSpec): Promise<number> {
  await containers.prepare(s);
  const { pid, startTime } = await containers.spawn(s);
  await state.saveContainer(project, { spec: s, status: 'running', pid, startTime });
  await containers.release(project, s.name);
  return pid;
}

async function remove(name: string): Promise<void> {
  await containers.stop(project, name, 'SIGKILL', 0);
  await containers.cleanup(project, name);
  await state.removeContainer(project, name);
}

/** Runs argv in the box with piped output; resolves with the exit code and the output. */
async function run(
  argv: string[],
  opts: Partial<ExecOptions> = {},
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await containers.exec(project, box.name, {
    argv,
    stdio: 'pipe',
    ...opts,
    onOutput: (stream, chunk) => (stream === 'stdout' ? (out += chunk.toString()) : (err += chunk.toString())),
  });
  return { code, out, err };
}

const capLine = (status: string, field: string) => status.split('\n').find((l) => l.startsWith(`${field}:`));

beforeAll(async () => {
  layer = buildBusyboxLayer();
  box = { ...busyboxSpec(project, layer, `${project}-app-1`, ['sleep', '1000']), hostname: 'boxhost', user: '' };
  boxPid = await start(box);
});

afterAll(async () => {
  await remove(box.name);
  await state.forget(project);
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const dir of cgroupDirs(project, 'x')) expect(fs.existsSync(path.dirname(dir))).toBe(false);
});

describe.each(INIT_STAGES)('containers.exec (%s exec stage)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('joins every namespace of the container (mnt, pid, net, uts, ipc, cgroup) and sees its hostname and processes', async () => {
    const kinds = ['mnt', 'pid', 'net', 'uts', 'ipc', 'cgroup'];
    const r = await run([
      'sh',
      '-c',
      `hostname; ${kinds.map((k) => `readlink /proc/self/ns/${k}`).join('; ')}; ps -o pid,args; cat /proc/self/cgroup`,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('boxhost');
    expect(lines.slice(1, 7)).toEqual(kinds.map((k) => fs.readlinkSync(`/proc/${boxPid}/ns/${k}`)));
    // PID 1 is the container's sleep; the exec'd shell lives beside it in the same pid namespace.
    expect(lines.find((l) => /^\s*1\s/.test(l))).toMatch(/^\s*1\s+sleep 1000$/);
    // Same cgroups as PID 1 (both see their own group as / through the cgroup namespace).
    const cgroupLines = lines.filter((l) => /^\d+:/.test(l));
    expect(cgroupLines.length).toBeGreaterThan(0);
    expect(cgroupLines.sort()).toEqual(
      fs
        .readFileSync(`/proc/${boxPid}/cgroup`, 'utf8')
        .trim()
        .split('\n')
        .sort()
        .map((l) => l.replace(/:[^:]*$/, ':/')),
    );
  });

  it('returns the exit code of the command', async () => {
    expect((await run(['sh', '-c', 'exit 7'])).code).toBe(7);
    expect((await run(['true'])).code).toBe(0);
  });

  it('has the capabilities, no_new_privs and seccomp filter of the container, never more', async () => {
    const inside = (await run(['cat', '/proc/self/status'])).out;
    const container = fs.readFileSync(`/proc/${boxPid}/status`, 'utf8');
    for (const field of ['CapEff', 'CapPrm', 'CapBnd', 'CapInh', 'CapAmb', 'NoNewPrivs', 'Seccomp', 'Seccomp_filters'])
      expect(capLine(inside, field)).toBe(capLine(container, field));
    expect(capLine(inside, 'CapEff')).toBe('CapEff:\t00000000a80425fb');
    expect(capLine(inside, 'Seccomp')).toBe('Seccomp:\t2');
    // Needs no capability at all, only the seccomp filter stops it (as in the container).
    const userns = await run(['unshare', '-U', 'true']);
    expect(userns.code).not.toBe(0);
    expect(userns.err).toMatch(/not permitted/i);
    // What the default set lacks stays impossible: CAP_SYS_ADMIN (mount), CAP_NET_ADMIN (ip link add).
    const mount = await run(['mount', '-t', 'tmpfs', 'x', '/tmp']);
    expect(mount.code).not.toBe(0);
    expect(mount.err).toMatch(/denied|not permitted/i);
    expect((await run(['hostname', 'other'])).code).not.toBe(0);
  });

  it('uses the container environment plus the extra variables, with HOME of the user', async () => {
    const r = await run(['sh', '-c', 'echo "$FOO $BAR $HOSTNAME $HOME"'], { env: ['BAR=baz', 'FOO=over'] });
    expect(r.out).toBe('over baz boxhost /root\n');
  });

  it('runs as another user from the container /etc/passwd, with its groups and no capabilities', async () => {
    const r = await run(['sh', '-c', 'id; echo $HOME; grep -E "^Cap(Eff|Prm|Bnd)" /proc/self/status'], { user: 'app' });
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('uid=1000(app) gid=1000(app) groups=50(staff),1000(app)');
    expect(lines[1]).toBe('/home/app');
    expect(lines.slice(2)).toEqual([
      'CapPrm:\t0000000000000000',
      'CapEff:\t0000000000000000',
      'CapBnd:\t00000000a80425fb',
    ]);
    expect((await run(['id', '-u'], { user: '4242:50' })).out).toBe('4242\n');
    const unknown = await run(['id'], { user: 'ghost' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(unknown).toBeInstanceOf(ContainerExecError);
    expect((unknown as ContainerExecError).message).toBe(
      `container ${box.name}: cannot exec (resolve user): unable to find user ghost: no matching entries in passwd file`,
    );
  });

  it('runs in the asked working directory', async () => {
    expect((await run(['pwd'], { cwd: '/srv/data' })).out).toBe('/srv/data\n');
    expect((await run(['pwd'])).out).toBe('/\n');
  });

  it('reports a missing command as ContainerExecError with exit code 127', async () => {
    const err = await run(['no-such-program']).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContainerExecError);
    expect((err as ContainerExecError).exitCode).toBe(127);
    expect((err as ContainerExecError).detail).toBe('executable file not found in $PATH: no-such-program');
  });

  it('gives a terminal from the container devpts when asked', async () => {
    const r = await run(['sh', '-c', 'tty; test -t 0 && echo interactive'], { tty: true });
    expect(r.code).toBe(0);
    expect(r.out.replace(/\r/g, '')).toBe('/dev/pts/0\ninteractive\n');
  });

  it('feeds stdin from input', async () => {
    expect((await run(['tr', 'a-z', 'A-Z'], { input: 'shout\n' })).out).toBe('SHOUT\n');
  });

  it('kills the process when aborted (137)', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    expect((await run(['sleep', '100'], { signal: ac.signal })).code).toBe(137);
  });

  it('refuses a container that does not run', async () => {
    const err = await containers.exec(project, `${project}-nope-1`, { argv: ['true'] }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ContainerExecError);
    expect((err as ContainerExecError).exitCode).toBe(1);
  });
});
