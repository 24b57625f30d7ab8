// `stack doctor`'s rootless section on this machine (newuidmap setuid, pasta and slirp4netns,
// cgroup v1 controllers): as root itself, as root for $SUDO_USER, and run by an ordinary user
// the test makes with useradd (which gives it subordinate id ranges from login.defs) and
// removes again with userdel (which takes the ranges away too).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot, type StackEnv } from '../support/stack-cli.js';

interface DoctorJson {
  ok: boolean;
  checks: { check: string; verdict: 'ok' | 'warn' | 'fail'; detail: string; fix?: string; section?: string }[];
}

const USER = `stkrl${process.pid}`;
let env: StackEnv;
let uid: number;
let gid: number;
let runtimeDir: string;

function must(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  expect(r.status, `${command} ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

const hasRange = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .some((l) => l.startsWith(`${USER}:`));

beforeAll(() => {
  env = makeStackEnv();
  // The test user must reach its runtime folder inside the test's (0700) temp folder.
  fs.chmodSync(env.root, 0o755);
  must('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  uid = Number(must('id', ['-u', USER]).trim());
  gid = Number(must('id', ['-g', USER]).trim());
  runtimeDir = path.join(env.root, 'xdg-run');
  fs.mkdirSync(runtimeDir, { mode: 0o700 });
  fs.chownSync(runtimeDir, uid, gid);
});

afterAll(() => {
  spawnSync('userdel', [USER]);
  expect(spawnSync('getent', ['passwd', USER]).status, 'userdel removed the user').not.toBe(0);
  env.dispose();
  expect(hasRange('/etc/subuid') || hasRange('/etc/subgid'), 'userdel leaves no subordinate range').toBe(false);
});

/** `stack doctor --format json`, as root or (setpriv) as the test user. */
function doctor(as: 'root' | 'user', extraEnv: NodeJS.ProcessEnv = {}): { code: number; json: DoctorJson } {
  const bin = path.join(repoRoot, 'bin/stack');
  const [command, args] =
    as === 'root'
      ? [bin, ['doctor', '--format', 'json']]
      : ['setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--', bin, 'doctor', '--format', 'json']];
  const r = spawnSync(command, args, {
    cwd: env.root,
    env: { ...env.env, SUDO_USER: '', XDG_RUNTIME_DIR: '', ...extraEnv },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, json: JSON.parse(r.stdout) as DoctorJson };
}

const rootless = (json: DoctorJson) =>
  Object.fromEntries(json.checks.filter((c) => c.section === 'rootless').map((c) => [c.check, c]));

describe('stack doctor: the rootless section on this machine', () => {
  it('as root: says rootless mode is for ordinary users, checks the host-wide pieces, and still exits 0', () => {
    const { code, json } = doctor('root');
    expect(code).toBe(0);
    expect(json.ok).toBe(true);
    const r = rootless(json);
    expect(r.rootless!.detail).toContain('is for ordinary users');
    expect(r.uidmap).toMatchObject({ verdict: 'ok', detail: expect.stringContaining('newuidmap (setuid root)') });
    expect(r.userns!.verdict).toBe('ok');
    expect(r['userns-overlay']!.verdict).toBe('ok');
    // The CI host has both (host-deps.sh): slirp4netns is used, pasta named as the other choice.
    expect(r['rootless-net']).toMatchObject({
      verdict: 'ok',
      detail: expect.stringMatching(/slirp4netns connects .*pasta is the other choice/),
    });
    expect(r['user-cgroups']).toMatchObject({
      verdict: 'warn',
      detail: expect.stringContaining('cgroup v1'),
    });
    expect(r.subids!.detail).toContain('not checked');
  });

  it("run by an ordinary user: that user's ranges and runtime folder, and rootless gaps decide the exit code", () => {
    expect(hasRange('/etc/subuid') && hasRange('/etc/subgid'), 'useradd gave the user ranges').toBe(true);
    const { code, json } = doctor('user', { XDG_RUNTIME_DIR: runtimeDir });
    // The user's commands run in rootless mode: a failing rootless check (here /dev/net/tun when the host has it 0600) blocks.
    const failing = json.checks.filter((c) => c.verdict === 'fail');
    expect(failing.every((c) => c.section === 'rootless')).toBe(true);
    expect(code).toBe(failing.length > 0 ? 1 : 0);
    expect(json.checks.find((c) => c.check === 'root')!.verdict).toBe('ok');
    const r = rootless(json);
    expect(r.rootless!.detail).toContain(`for ${USER}, uid ${uid}`);
    expect(r.subids).toMatchObject({ verdict: 'ok', detail: expect.stringMatching(/\(65536 ids\).*\(65536 ids\)/) });
    expect(r['runtime-dir']).toMatchObject({ verdict: 'ok', detail: expect.stringContaining(`${runtimeDir}/stack`) });
    expect(r.uidmap!.verdict).toBe('ok');
  });

  it('as root for $SUDO_USER: that user, and their /run/user folder (absent: no login session)', () => {
    const { code, json } = doctor('root', { SUDO_USER: USER, XDG_RUNTIME_DIR: runtimeDir });
    expect(code).toBe(0);
    const r = rootless(json);
    expect(r.rootless!.detail).toContain(`for ${USER}, uid ${uid} ($SUDO_USER)`);
    expect(r.subids!.verdict).toBe('ok');
    expect(r['runtime-dir']).toMatchObject({
      verdict: 'fail',
      detail: `/run/user/${uid} does not exist: rootless STACK_RUN is in it`,
      fix: expect.stringContaining(`loginctl enable-linger ${USER}`),
    });
  });
});
