#!/usr/bin/env node
// Rootless against rootful stack in one run (issue 22): `up -d` and `down` of the reference
// stack (bench/stacks/five) as root and as an ordinary user the bench makes with useradd
// (subordinate ids from login.defs; userdel removes it and them), runs alternating so the
// machine's load falls on both alike. Wall time of the command and the CPU (user+sys) of the
// command and what it waits for (/usr/bin/time; the detached supervisor is in neither).
// The user's namespaces are kept warm by a one-container keeper stack; the first rootless
// `up`, which makes them, is shown on its own line. Must run as root.
// Usage: node bench/rootless-up.mjs [RUNS]   (after `npm run build`)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLayout, IMAGE } from './lib/images.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 7);
const USER = `stkbench${process.pid}`;
const TUN = '/dev/net/tun';
const port = 18000 + (process.pid % 1000);
if (process.geteuid() !== 0) throw new Error('run the rootless bench as root: it makes and removes a user');

const must = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-bench-rootless-'));
fs.chmodSync(root, 0o755);
let tunMode;
let uid;
let gid;
let made = false;

/** `stack ARGS` as root or as the user, timed: wall ms, CPU ms (user+sys of it and what it waited for). */
function stack(as, envs, args, cwd) {
  const prefix = as === 'user' ? ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'] : [];
  const argv = [...prefix, '/usr/bin/time', '-f', 'TIME %U %S', path.join(repo, 'bin/stack'), ...args];
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { env: envs[as], cwd, encoding: 'utf8' });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`stack ${args.join(' ')} as ${as}: ${r.stderr}`);
  const [, u, s] = /TIME (\S+) (\S+)/.exec(r.stderr) ?? [];
  return { wall, cpu: (Number(u) + Number(s)) * 1000 };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

try {
  must('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  made = true;
  uid = Number(must('id', ['-u', USER]).trim());
  gid = Number(must('id', ['-g', USER]).trim());
  const mode = fs.statSync(TUN).mode & 0o777;
  if ((mode & 0o006) !== 0o006) {
    tunMode = mode;
    fs.chmodSync(TUN, 0o666);
  }
  const home = path.join(root, 'home');
  const xdg = path.join(root, 'xdg');
  for (const d of [home, xdg]) {
    fs.mkdirSync(d, { mode: 0o700 });
    fs.chownSync(d, uid, gid);
  }
  const layout = await buildLayout(path.join(root, 'oci'));
  must('chmod', ['-R', 'a+rX', layout]);
  const base = { ...process.env, BENCH_WEB_PORT: String(port) };
  delete base.STACK_ROOT;
  delete base.STACK_RUN;
  const envs = {
    root: { ...base, STACK_ROOT: path.join(root, 'lib'), STACK_RUN: path.join(root, 'run') },
    user: { ...base, HOME: home, XDG_RUNTIME_DIR: xdg, XDG_DATA_HOME: '' },
  };
  const five = path.join(home, 'stack.yaml');
  fs.copyFileSync(path.join(repo, 'bench/stacks/five/stack.yaml'), five);
  const keeper = path.join(home, 'keeper.yaml');
  fs.writeFileSync(
    keeper,
    `name: stkbenchkeeper\nservices:\n  keep:\n    image: ${IMAGE}\n    init: true\n    network_mode: none\n    command: ["sleep", "86400"]\n`,
  );
  for (const f of [five, keeper]) fs.chmodSync(f, 0o644);
  for (const as of ['root', 'user']) stack(as, envs, ['image', 'import', layout, '--tag', IMAGE], home);

  const file = ['-p', 'stkbenchfive', '-f', five];
  // Cold: the first rootless up makes the user's namespaces (no keeper yet).
  const cold = stack('user', envs, [...file, 'up', '-d'], home);
  stack('user', envs, [...file, 'down', '-t', '0'], home);
  stack('user', envs, ['-f', keeper, 'up', '-d'], home);
  const t = { root: { up: [], upCpu: [], down: [] }, user: { up: [], upCpu: [], down: [] } };
  for (let i = 0; i < runs; i++) {
    for (const as of i % 2 ? ['user', 'root'] : ['root', 'user']) {
      const up = stack(as, envs, [...file, 'up', '-d'], home);
      t[as].up.push(up.wall);
      t[as].upCpu.push(up.cpu);
      t[as].down.push(stack(as, envs, [...file, 'down', '-t', '0'], home).wall);
    }
  }
  const f = (x) => x.toFixed(0);
  const r = (k) => (median(t.user[k]) / median(t.root[k])).toFixed(2);
  console.log(
    `bench/stacks/five, ${runs} runs each, alternating, ${os.cpus().length} cores, ${os.release()}, ${new Date().toISOString().slice(0, 10)}\n`,
  );
  console.log('| step | rootful median ms | rootless median ms | rootless / rootful |\n| --- | --- | --- | --- |');
  console.log(`| up -d (wall) | ${f(median(t.root.up))} | ${f(median(t.user.up))} | ${r('up')} |`);
  console.log(
    `| up -d (CPU of the command, user+sys) | ${f(median(t.root.upCpu))} | ${f(median(t.user.upCpu))} | ${r('upCpu')} |`,
  );
  console.log(`| down -t 0 (wall) | ${f(median(t.root.down))} | ${f(median(t.user.down))} | ${r('down')} |`);
  console.log(`| first rootless up -d, making the namespaces (wall) | | ${f(cold.wall)} | |`);
} finally {
  const home = path.join(root, 'home');
  if (uid !== undefined) {
    const envUser = { ...process.env, HOME: home, XDG_RUNTIME_DIR: path.join(root, 'xdg'), XDG_DATA_HOME: '' };
    delete envUser.STACK_ROOT;
    delete envUser.STACK_RUN;
    const asUser = [
      'setpriv',
      `--reuid=${uid}`,
      `--regid=${gid}`,
      '--clear-groups',
      '--',
      path.join(repo, 'bin/stack'),
    ];
    for (const p of ['stkbenchfive', 'stkbenchkeeper'])
      spawnSync(asUser[0], [...asUser.slice(1), '-p', p, 'down', '-t', '0'], { env: envUser, cwd: home });
  }
  spawnSync(path.join(repo, 'bin/stack'), ['-p', 'stkbenchfive', 'down', '-t', '0'], {
    env: { ...process.env, STACK_ROOT: path.join(root, 'lib'), STACK_RUN: path.join(root, 'run') },
  });
  if (uid !== undefined) {
    const left = spawnSync('ps', ['-u', USER, '-o', 'pid='], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
    for (const pid of left) process.kill(Number(pid), 'SIGKILL');
  }
  if (made) spawnSync('userdel', [USER]);
  if (tunMode !== undefined) fs.chmodSync(TUN, tunMode);
  fs.rmSync(root, { recursive: true, force: true });
}
