// The launcher's rootless short path (bin/rootless-enter.sh): an ordinary user's command
// enters the namespaces of the user's running holder straight from /bin/sh, so Node starts
// once. It must enter only the holder its record names — every pid with the start time it
// was written with, so a recycled pid is never entered — and take the full path (Node on the
// host side, cli/rootless-entry.ts) for anything else. `nsenter` and `node` are stubs here
// that say which path ran; the launcher runs as an unprivileged uid (setpriv), as a user does.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/stack-cli.js';
import { readStartTime } from '../../store/proc-stat.js';
import { FOR_EVERYONE } from '../../cli/needs-root.js';
import { enterRecordLine } from '../../executor/host/linux/rootless/enter-record.js';
import type { HolderRecord } from '../../executor/host/linux/rootless/namespace-holder.js';

const NOBODY = 65534;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-rl-launch-'));
const stubs = path.join(dir, 'stubs');
const home = path.join(dir, 'home');
const runtimeDir = path.join(dir, 'xdg-run');
const record = path.join(runtimeDir, 'stack/rootless/holder.enter');
const children: ChildProcess[] = [];
let holder: HolderRecord;
let zombie: number;

function stub(name: string, said: string): void {
  const file = path.join(stubs, name);
  fs.writeFileSync(file, `#!/bin/sh\necho "${said} $*"\necho "env STACK_ROOT=$STACK_ROOT STACK_RUN=$STACK_RUN"\n`);
  fs.chmodSync(file, 0o755);
}

async function sleeper(): Promise<{ pid: number; startTime: number }> {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return { pid: child.pid!, startTime: readStartTime(child.pid!)! };
}

function writeRecord(text: string, owner = NOBODY): void {
  fs.writeFileSync(record, text);
  fs.chownSync(record, owner, owner);
}

/** bin/stack run as `uid` with the user's environment; its stdout (a stub's words). */
function launch(args: string[], uid = NOBODY, extraEnv: Record<string, string> = {}): string {
  const env = {
    PATH: `${stubs}:/usr/bin:/bin`,
    HOME: home,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_DATA_HOME: '',
    ...extraEnv,
  };
  const wrap = uid === 0 ? [] : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--'];
  const argv = [...wrap, path.join(repoRoot, 'bin/stack'), ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { env, cwd: home, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

const entered = (out: string) => out.startsWith('ENTERED ');
const full = (out: string) => out.startsWith('FULL ');

beforeAll(async () => {
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(stubs);
  stub('nsenter', 'ENTERED');
  stub('node', 'FULL');
  for (const d of [home, runtimeDir, path.dirname(path.dirname(record)), path.dirname(record)]) {
    fs.mkdirSync(d, { mode: 0o700 });
    fs.chownSync(d, NOBODY, NOBODY);
  }
  const [u, h, n] = [await sleeper(), await sleeper(), await sleeper()];
  holder = {
    unsharePid: u.pid,
    unshareStartTime: u.startTime,
    pid: h.pid,
    startTime: h.startTime,
    connector: 'slirp4netns',
    netPid: n.pid,
    netStartTime: n.startTime,
    forwards: [],
  };
  // A zombie: its parent (sh, then exec'd into sleep) never reaps it.
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 1000'], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(parent);
  zombie = Number(
    await new Promise<string>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(String(d)))),
  );
  while (!fs.readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z ')) await new Promise((r) => setTimeout(r, 5));
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('bin/stack for an ordinary user whose namespace holder runs', () => {
  it('enters the holder with nsenter, once, as the full path would', () => {
    writeRecord(enterRecordLine(holder));
    const out = launch(['-f', 'stack.yaml', 'up', '-d']);
    expect(entered(out), out).toBe(true);
    expect(out).toContain(
      `--target=${holder.pid} --user --mount --net --uts --ipc --cgroup --pid --wdns=${home} -- node ${repoRoot}/bin/stack.js -f stack.yaml up -d`,
    );
    expect(out).toContain(`STACK_ROOT=${home}/.local/share/stack STACK_RUN=${runtimeDir}/stack`);
  });

  it('keeps the host cgroup namespace of a holder given a delegated subtree', () => {
    writeRecord(enterRecordLine({ ...holder, cgroup: '/user.slice/x' }));
    const out = launch(['ps']);
    expect(entered(out), out).toBe(true);
    expect(out).toContain('--ipc --pid');
  });

  it('looks for the record in the STACK_RUN the user gives', () => {
    writeRecord(enterRecordLine(holder));
    const out = launch(['ps'], NOBODY, { STACK_RUN: `${runtimeDir}/stack`, XDG_RUNTIME_DIR: '', STACK_ROOT: '/x' });
    expect(entered(out), out).toBe(true);
    expect(out).toContain(`STACK_ROOT=/x STACK_RUN=${runtimeDir}/stack`);
    expect(full(launch(['ps'], NOBODY, { STACK_RUN: `${home}/elsewhere` }))).toBe(true);
  });

  it('finds the command after global options that take a value', () => {
    writeRecord(enterRecordLine(holder));
    expect(entered(launch(['-p', 'down', '--file', 'doctor', 'ps']))).toBe(true);
    expect(full(launch(['-p', 'ps', 'down']))).toBe(true);
  });
});

describe('bin/stack takes the full path when the short one is not provably the same', () => {
  const cases: [string, () => string][] = [
    [
      'a recycled holder pid (another start time)',
      () => enterRecordLine({ ...holder, startTime: holder.startTime + 1 }),
    ],
    ['a recycled unshare pid', () => enterRecordLine({ ...holder, unshareStartTime: holder.unshareStartTime - 1 })],
    ['a connector that is gone', () => enterRecordLine({ ...holder, netPid: 0x3ffffff, netStartTime: 1 })],
    ['a holder that is a zombie', () => enterRecordLine({ ...holder, pid: zombie, startTime: readStartTime(zombie)! })],
    ['pasta, whose forwards the outer command restarts', () => enterRecordLine({ ...holder, connector: 'pasta' })],
    ['a record cut short', () => enterRecordLine(holder).replace(/ end\n$/, '\n')],
    ['a record of another version', () => enterRecordLine(holder).replace(/^\S+/, 'stk-enter-0')],
    ['a word too many', () => enterRecordLine(holder).replace(/\n$/, ' 7\n')],
    ['a pid that is not a number', () => enterRecordLine({ ...holder, pid: '1;x' as unknown as number })],
  ];
  it.each(cases)('%s', (_name, line) => {
    writeRecord(line());
    expect(full(launch(['ps']))).toBe(true);
  });

  it('a record that is not the user’s own', () => {
    writeRecord(enterRecordLine(holder), 0);
    expect(full(launch(['ps']))).toBe(true);
  });

  it('no record (and the environment reaches Node as it came)', () => {
    fs.rmSync(record, { force: true });
    const out = launch(['ps'], NOBODY, { STACK_RUN: '', STACK_ROOT: '' });
    expect(full(out)).toBe(true);
    expect(out).toContain('env STACK_ROOT= STACK_RUN=\n');
  });

  it.each(
    [
      ...FOR_EVERYONE,
      'down',
      'help',
      '--help',
      ['ps', '--help'],
      ['help', 'ps'],
      ['exec', 'web', 'grep', '-h'],
      [],
    ].map((a) => [a]),
  )('the command %j (host side, or work after it)', (args) => {
    writeRecord(enterRecordLine(holder));
    expect(full(launch(([] as string[]).concat(args)))).toBe(true);
  });

  it('root', () => {
    writeRecord(enterRecordLine(holder), 0);
    expect(full(launch(['ps'], 0))).toBe(true);
  });
});
