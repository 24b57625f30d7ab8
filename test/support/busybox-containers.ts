// A busybox image layer built by hand in a temporary STACK_ROOT, and helpers to run
// containers from it through the real Linux runtime (prepare, spawn, record, release).
// Tests that use it make real namespaces, overlays and cgroups; `cleanupAll` removes every
// container they made and checks nothing is left behind.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec } from '../../model/plan.js';
import type { ContainerExit } from '../../executor/host.js';
import { createLinuxContainers } from '../../executor/host/linux/container-runtime.js';
import { createStateStore } from '../../store/state-store.js';
import { cgroupDirs } from '../../executor/host/linux/cgroups.js';
import { paths } from '../../store/paths.js';

const APPLETS = [
  'sh',
  'ps',
  'hostname',
  'cat',
  'sleep',
  'ls',
  'id',
  'echo',
  'true',
  'tr',
  'grep',
  'wc',
  'mount',
  'insmod',
  'reboot',
  'date',
  'sysctl',
  'touch',
  'unshare',
  'head',
  'dd',
  'mkdir',
  'stat',
  'pwd',
  'ulimit',
  'kill',
  'df',
  'nsenter',
];

/** An endpoint nothing wires: an init stage given one waits for a release that never comes (until stopped). */
export const UNWIRED_ENDPOINT = {
  network: 'n',
  bridge: 'stkbnone',
  hostVeth: 'stkvnone',
  ifname: 'eth0',
  ip: '10.0.0.2',
  prefixLength: 24,
  gateway: '10.0.0.1',
  defaultRoute: true,
};

export function busyboxFixture(prefix: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `stk-${prefix}-`));
  process.env.STACK_ROOT = path.join(tmp, 'root');
  process.env.STACK_RUN = path.join(tmp, 'run');
  const project = `stkt${crypto.randomBytes(3).toString('hex')}`;
  const layer = crypto.randomBytes(32).toString('hex');
  const state = createStateStore();
  const containers = createLinuxContainers(state);
  const made = new Set<string>();
  const pids = new Set<number>();
  const exits = new Map<string, (e: ContainerExit) => void>();
  containers.onExit((e) => exits.get(e.name)?.(e));
  let counter = 0;

  /** The layer: busybox with its applets, passwd/group with a few users, plus `extra` files (name → host path). */
  function buildLayer(extra: Record<string, string> = {}): void {
    const dir = paths.layerDir(layer);
    for (const d of ['bin', 'etc', 'proc', 'sys', 'dev', 'tmp', 'root'])
      fs.mkdirSync(path.join(dir, d), { recursive: true });
    fs.copyFileSync('/bin/busybox', path.join(dir, 'bin/busybox'));
    fs.chmodSync(path.join(dir, 'bin/busybox'), 0o755);
    for (const a of APPLETS) fs.symlinkSync('busybox', path.join(dir, 'bin', a));
    fs.writeFileSync(
      path.join(dir, 'etc/passwd'),
      'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n',
    );
    fs.writeFileSync(path.join(dir, 'etc/group'), 'root:x:0:\napp:x:1000:\naudio:x:29:app\nstaff:x:50:app,other\n');
    for (const [name, src] of Object.entries(extra)) {
      fs.copyFileSync(src, path.join(dir, 'bin', name));
      fs.chmodSync(path.join(dir, 'bin', name), 0o755);
    }
  }

  function spec(argv: string[], overrides: Partial<ContainerSpec> = {}): ContainerSpec {
    const name = `${project}-app-${++counter}`;
    return {
      ...defaultRuntimeOptions(),
      project,
      service: 'app',
      name,
      hostname: `box${counter}`,
      image: { ref: 'busybox:test', id: `sha256:${layer}`, layers: [`sha256:${layer}`] },
      argv,
      env: ['PATH=/bin', 'FOO=bar'],
      cwd: '/',
      endpoints: [],
      hosts: [{ ip: '10.0.0.9', names: ['db'] }],
      stopSignal: 'SIGTERM',
      stopGraceSeconds: 1,
      hash: 'x',
      ...overrides,
    };
  }

  /** prepare + spawn: the init stage waits for release; resolves with the exit promise. */
  async function spawnOnly(
    s: ContainerSpec,
  ): Promise<{ pid: number; startTime: number; exit: Promise<ContainerExit> }> {
    made.add(s.name);
    const exit = new Promise<ContainerExit>((r) => exits.set(s.name, r));
    await containers.prepare(s);
    const { pid, startTime } = await containers.spawn(s);
    pids.add(pid);
    return { pid, startTime, exit };
  }

  /** prepare + spawn (+ record) + release; resolves with the exit promise. */
  async function start(s: ContainerSpec): Promise<{ pid: number; startTime: number; exit: Promise<ContainerExit> }> {
    const { pid, startTime, exit } = await spawnOnly(s);
    await state.saveContainer(project, { spec: s, status: 'running', pid, startTime });
    await containers.release(project, s.name);
    return { pid, startTime, exit };
  }

  /** Runs a container to its end: its exit and its output. */
  async function run(
    argv: string[],
    overrides: Partial<ContainerSpec> = {},
  ): Promise<{ exit: ContainerExit; log: string; spec: ContainerSpec }> {
    const s = spec(argv, overrides);
    const { exit } = await start(s);
    const e = await exit;
    const log = logOf(s);
    await removeAll(s.name);
    return { exit: e, log, spec: s };
  }

  const logOf = (s: ContainerSpec) => fs.readFileSync(paths.logFile(project, s.name), 'utf8');
  const mountsMentioningTmp = () =>
    fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l.includes(tmp));

  async function removeAll(name: string): Promise<void> {
    await containers.stop(project, name, 'SIGKILL', 0);
    await containers.cleanup(project, name);
    await state.removeContainer(project, name);
    made.delete(name);
  }

  /** Teardown: removes what is left and checks that nothing of the project survives. */
  async function cleanupAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const name of [...made]) await removeAll(name).catch((e) => errors.push(e));
    await state.forget(project).catch((e) => errors.push(e));
    fs.rmSync(tmp, { recursive: true, force: true });
    expect(errors).toEqual([]);
    expect(
      [...pids].filter(
        (p) => fs.existsSync(`/proc/${p}`) && !fs.readFileSync(`/proc/${p}/stat`, 'utf8').includes(') Z'),
      ),
    ).toEqual([]);
    for (const dir of cgroupDirs(project, 'x')) expect(fs.existsSync(path.dirname(dir))).toBe(false);
    expect(mountsMentioningTmp()).toEqual([]);
  }

  return {
    tmp,
    project,
    layer,
    state,
    containers,
    made,
    pids,
    exits,
    buildLayer,
    spec,
    spawnOnly,
    start,
    run,
    logOf,
    mountsMentioningTmp,
    removeAll,
    cleanupAll,
  };
}
