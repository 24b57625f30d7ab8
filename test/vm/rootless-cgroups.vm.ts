// Rootless mode with a delegated cgroup v2 subtree (issue 22), on a real v2 kernel (the host
// runs v1). The test delegates as systemd's user@UID.service does (Delegate=): the group is
// made and chowned to the user with its cgroup.procs, cgroup.subtree_control and
// cgroup.threads, and the user's commands run in a group below it (systemd's app.slice; here
// `session`), since the kernel moves a process into a delegated group only from inside it.
// As that user: doctor says the subtree was found; `up` enforces mem_limit, pids_limit and
// cpus in the container's own group under the subtree (no "not enforced" warning); `stats`
// reads its figures; `pause`/`unpause` freeze and thaw it; `down` removes the groups.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { snapshotHostObjects, type HostObjects } from '../support/host-objects.js';
import { makeStackEnv, repoRoot, TEST_IMAGE, uniqueProject, type Result, type StackEnv } from '../support/stack-cli.js';
import { noNewObjects, ok } from './vm-support.js';

const USER = `stkvmrl${process.pid}`;
const CG = '/sys/fs/cgroup';
/** Under TCG a rootless command (two Node starts, the namespaces) takes long. */
const CLI_TIMEOUT_MS = 300_000;

function must(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('rootless mode with a delegated cgroup v2 subtree (Debian 12 kernel)', () => {
  let env: StackEnv;
  let hostBefore: HostObjects;
  let uid: number;
  let gid: number;
  let home: string;
  let file: string;
  let project: string;
  /** The levels this test made above the delegated group (user.slice, user-UID.slice), to remove. */
  const madeLevels: string[] = [];
  let delegated: string;
  let session: string;
  const group = () => path.join(delegated, 'stack', project, `${project}-limited-1`);
  const read = (name: string) => fs.readFileSync(path.join(group(), name), 'utf8').trim();

  /** `stack ARGS` as the user, from a group below the delegated one (where a login of theirs runs). */
  function asUser(args: string[]): Result {
    const r = spawnSync(
      'sh',
      [
        '-c',
        'echo $$ > "$0/cgroup.procs" && exec "$@"',
        session,
        'setpriv',
        `--reuid=${uid}`,
        `--regid=${gid}`,
        '--clear-groups',
        '--',
        path.join(repoRoot, 'bin/stack'),
        ...args,
      ],
      { cwd: home, env: env.env, encoding: 'utf8', timeout: CLI_TIMEOUT_MS },
    );
    // A failure names the log of the step that failed (unshare, slirp4netns): the guest is gone after the run.
    const log = /see (\S+\.log)/.exec(r.stderr ?? '')?.[1];
    const logText = log && fs.existsSync(log) ? `\n${log}:\n${fs.readFileSync(log, 'utf8')}` : '';
    return { code: r.status ?? -1, stdout: r.stdout, stderr: `${r.stderr}${logText}` };
  }

  before(() => {
    hostBefore = snapshotHostObjects();
    env = makeStackEnv();
    fs.chmodSync(env.root, 0o755);
    must('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    uid = Number(must('id', ['-u', USER]).trim());
    gid = Number(must('id', ['-g', USER]).trim());
    home = path.join(env.root, 'home');
    const runtimeDir = path.join(env.root, 'xdg-run');
    for (const dir of [home, runtimeDir]) {
      fs.mkdirSync(dir, { mode: 0o700 });
      fs.chownSync(dir, uid, gid);
    }
    const { STACK_ROOT: _r, STACK_RUN: _u, ...inherited } = env.env;
    env.env = { ...inherited, HOME: home, XDG_RUNTIME_DIR: runtimeDir, XDG_DATA_HOME: '' };

    // What systemd does for user@UID.service with Delegate=cpu memory pids: each level above
    // gives the controllers down, the group and its three files become the user's.
    const levels = ['user.slice', `user-${uid}.slice`, `user@${uid}.service`];
    let dir = CG;
    for (const level of levels) {
      fs.writeFileSync(path.join(dir, 'cgroup.subtree_control'), '+cpu +memory +pids');
      dir = path.join(dir, level);
      if (!fs.existsSync(dir)) {
        fs.mkdirSync(dir);
        madeLevels.unshift(dir);
      }
    }
    delegated = dir;
    session = path.join(delegated, 'session');
    fs.mkdirSync(session);
    for (const d of [delegated, session])
      for (const f of ['', 'cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'])
        fs.chownSync(path.join(d, f), uid, gid);

    const layout = path.join(env.root, 'busybox-oci');
    execFileSync(process.execPath, [
      path.join(repoRoot, 'scripts/build-busybox-image.mjs'),
      layout,
      '--tag',
      TEST_IMAGE,
    ]);
    execFileSync('chmod', ['-R', 'a+rX', layout]);
    ok(asUser(['image', 'import', layout, '--tag', TEST_IMAGE]), `image import as ${USER}`);
    project = uniqueProject('stkvmrl');
    file = path.join(home, 'stack.yaml');
    fs.writeFileSync(
      file,
      `name: ${project}
services:
  limited:
    image: ${TEST_IMAGE}
    command: sleep 1000
    network_mode: none
    stop_grace_period: 0s
    mem_limit: 64m
    pids_limit: 50
    cpus: 0.5
`,
    );
  });

  after(() => {
    asUser(['-f', file, 'down', '-t', '0']);
    const left = spawnSync('ps', ['-u', USER, '-o', 'pid='], { encoding: 'utf8' }).stdout.split('\n');
    for (const pid of left.filter((p) => p.trim() !== '')) process.kill(Number(pid), 'SIGKILL');
    removeGroups();
    spawnSync('userdel', [USER]);
    env.dispose();
  });

  /** The delegated group and what is in it, then the levels above that this test made (once their processes are gone). */
  function removeGroups(): void {
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        for (const dir of [path.join(delegated, 'stack'), session, delegated, ...madeLevels])
          if (fs.existsSync(dir)) fs.rmdirSync(dir);
        return;
      } catch {
        spawnSync('sleep', ['0.05']); // an exiting process leaves its group a moment after it is reaped
      }
    }
  }

  it('doctor, run by the user, says the delegated subtree was found', () => {
    const r = asUser(['doctor', '--format', 'json']);
    const checks = (JSON.parse(r.stdout) as { checks: { check: string; verdict: string; detail: string }[] }).checks;
    const c = checks.find((x) => x.check === 'user-cgroups');
    assert.equal(c?.verdict, 'ok', c?.detail);
    assert.match(c!.detail, new RegExp(`delegated subtree found: ${delegated}`));
  });

  it('up puts the container in a group of its own under the subtree, with its limits, and warns of none', () => {
    const up = ok(asUser(['-f', file, 'up', '-d']), 'rootless up -d');
    assert.doesNotMatch(up.stderr, /not enforced/);
    assert.equal(read('memory.max'), String(64 * 1024 * 1024));
    assert.equal(read('pids.max'), '50');
    assert.equal(read('cpu.max'), '50000 100000');
    const pids = read('cgroup.procs').split('\n').filter(Boolean);
    assert.ok(pids.length > 0, 'the container runs in its group');
    // The user's own: the user namespace's root made it.
    assert.equal(fs.statSync(group()).uid, uid);
  });

  it('stats reads the figures of that group', () => {
    const r = ok(asUser(['-f', file, 'stats', '--no-stream', '--format', 'json']), 'stats');
    const sample = JSON.parse(r.stdout.trim().split('\n')[0]!) as { memoryLimitBytes: number; pids: number };
    assert.equal(sample.memoryLimitBytes, 64 * 1024 * 1024);
    assert.ok(sample.pids >= 1, `pids ${sample.pids}`);
  });

  it('pause freezes the group and unpause thaws it', () => {
    ok(asUser(['-f', file, 'pause']), 'pause');
    assert.equal(read('cgroup.freeze'), '1');
    assert.match(read('cgroup.events'), /^frozen 1$/m);
    ok(asUser(['-f', file, 'unpause']), 'unpause');
    assert.equal(read('cgroup.freeze'), '0');
    assert.match(read('cgroup.events'), /^frozen 0$/m);
  });

  it('down removes the groups and leaves nothing behind', async () => {
    ok(asUser(['-f', file, 'down', '-t', '0']), 'down');
    assert.equal(fs.existsSync(group()), false, `${group()} is left`);
    assert.equal(fs.existsSync(path.join(delegated, 'stack', project)), false);
    for (let i = 0; i < 100 && spawnSync('pgrep', ['-u', USER]).status === 0; i++) spawnSync('sleep', ['0.1']);
    removeGroups();
    await noNewObjects(hostBefore);
  });
});
