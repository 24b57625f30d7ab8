// What a local unprivileged user can do with a stack that root brought up (issue 13,
// findings 4, 7 and 10): nothing. The attacks run as nobody (setpriv: no user to make or
// remove) against a STACK_ROOT and STACK_RUN inside a folder every user may traverse, so
// only the modes stack gives its own files stand between them and the attacker.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBusyboxWithLayer, type Desc } from '../images/oci-layouts.js';
import {
  importTestImage,
  makeStackEnv,
  repoRoot,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';

const NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

/** Runs `command` as nobody, in the test's folder, with the test's STACK_ROOT and STACK_RUN. */
function asNobody(env: StackEnv, command: string, args: string[]) {
  const r = spawnSync('setpriv', [...NOBODY, '--', command, ...args], {
    cwd: env.root,
    env: env.env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

type Attempt = ['read' | 'write' | 'exec' | 'connect', string];

/**
 * Tries each attempt as nobody in one process; each result is what the attacker got: the
 * bytes read, a file open for writing (nothing is written), the effective uid the program
 * ran with, 'connected', or the errno code.
 */
const PROBE = `
const fs = require('node:fs'), net = require('node:net'), { execFileSync } = require('node:child_process');
const attempt = async ([kind, p]) => {
  try {
    if (kind === 'read') { const fd = fs.openSync(p, 'r'); const n = fs.readSync(fd, Buffer.alloc(64)); fs.closeSync(fd); return 'read ' + n + ' bytes'; }
    if (kind === 'write') { fs.closeSync(fs.openSync(p, 'w')); return 'opened for writing'; }
    if (kind === 'exec') return 'ran with euid ' + execFileSync(p, ['-u'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return await new Promise((resolve, reject) => { const c = net.connect(p, () => { c.destroy(); resolve('connected'); }); c.on('error', reject); });
  } catch (e) { return e.code ?? String(e); }
};
(async () => { const out = []; for (const a of JSON.parse(process.argv[1])) out.push(await attempt(a)); process.stdout.write(JSON.stringify(out)); })();
`;

function probeAsNobody(env: StackEnv, attempts: Attempt[]): Record<string, string> {
  const r = asNobody(env, process.execPath, ['-e', PROBE, JSON.stringify(attempts)]);
  expect(r.code, r.stderr).toBe(0);
  const results = JSON.parse(r.stdout) as string[];
  return Object.fromEntries(attempts.map(([kind, p], i) => [`${kind} ${p}`, results[i]!]));
}

const expectAllRefused = (results: Record<string, string>) =>
  expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, 'EACCES'])));

const mode = (p: string) => fs.statSync(p).mode & 0o7777;

/** A STACK_ROOT/STACK_RUN in a folder every user may traverse (mkdtemp makes it 0700). */
function openStackEnv(): StackEnv {
  const env = makeStackEnv();
  fs.chmodSync(env.root, 0o755);
  return env;
}

describe('a local unprivileged user and a running stack', () => {
  let env: StackEnv;
  let project: string;
  let file: string;
  const secret = `stk-envfile-${Math.random().toString(36).slice(2)}`;
  const token = `stk-token-${Math.random().toString(36).slice(2)}`;
  const root = () => env.env.STACK_ROOT!;
  const run = () => env.env.STACK_RUN!;
  const app = () => `${project}-app-1`;
  let planted: Desc;

  beforeAll(async () => {
    env = openStackEnv();
    importTestImage(env);
    // An image whose layer ships the same: a setuid-root program and /dev/kmsg's numbers.
    const layout = path.join(env.root, 'planted-oci');
    planted = await buildBusyboxWithLayer(layout, [
      { name: 'planted/', type: 'directory', mode: 0o755 },
      { name: 'planted/suid-id', mode: 0o4755, body: fs.readFileSync('/usr/bin/id') },
      { name: 'planted/kmsg', type: 'character-device', devmajor: 1, devminor: 11, mode: 0o666 },
    ]);
    const imported = stack(env, ['image', 'import', layout, '--tag', 'stack.local/planted:latest']);
    expect(imported.code, imported.stderr).toBe(0);
    project = uniqueProject('tlocal');
    fs.writeFileSync(path.join(env.root, 'secret.env'), `STK_SECRET=${secret}\n`, { mode: 0o600 });
    fs.mkdirSync(path.join(env.root, 'site'));
    fs.writeFileSync(path.join(env.root, 'site/page.txt'), 'from the host\n');
    env.env.STK_TOKEN = token;
    file = writeStackFile(
      env,
      project,
      `  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo the secret is $$STK_SECRET; sleep 1000"]
    env_file: secret.env
    stop_grace_period: 0s
    volumes: ["/usr/bin/id:/payload:ro"]
  worker:
    image: ${TEST_IMAGE}
    user: "1000:1000"
    command: sleep 1000
    stop_grace_period: 0s
    volumes: ["data:/data", "./site:/site:ro"]
    secrets: [tok]
volumes:
  data: {}
secrets:
  tok: { environment: STK_TOKEN }
`,
    );
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    // Container root makes what a local user would like to find on the host: a setuid-root
    // program that does not drop its privileges (the host's own `id`) and a device node
    // (the default device cgroup allows mknod of any node): /dev/kmsg, which the host keeps
    // 0644 and whose reads dmesg_restrict may guard, but not its writes (log forgery).
    const plant = stack(env, [
      '-f',
      file,
      'exec',
      'app',
      'sh',
      '-c',
      'cp /payload /suid-id && chmod 4755 /suid-id && mknod -m 666 /kmsg c 1 11',
    ]);
    expect(plant.code, plant.stderr).toBe(0);
    const log = path.join(root(), 'stacks', project, 'logs', `${app()}.log`);
    for (let i = 0; i < 200 && !(fs.existsSync(log) && fs.readFileSync(log, 'utf8').includes(secret)); i++)
      spawnSync('sleep', ['0.05']);
  });

  afterAll(() => {
    stack(env, ['-f', file, 'down', '-v', '-t', '0']);
    env.dispose();
  });

  it('cannot run a setuid-root file or open a device node that a container made in its upper dir', () => {
    const upper = path.join(root(), 'stacks', project, 'containers', app(), 'upper');
    expect(mode(path.join(upper, 'suid-id'))).toBe(0o4755); // the container did plant them
    expect(fs.statSync(path.join(upper, 'kmsg')).isCharacterDevice()).toBe(true);
    expectAllRefused(
      probeAsNobody(env, [
        ['exec', path.join(upper, 'suid-id')],
        ['write', path.join(upper, 'kmsg')],
        ['read', path.join(upper, 'kmsg')],
      ]),
    );
  });

  it('cannot run a setuid-root file or open a device node that an image layer ships', () => {
    const layer = path.join(root(), 'images', 'layers', planted.digest.slice('sha256:'.length), 'planted');
    expect(mode(path.join(layer, 'suid-id'))).toBe(0o4755); // the store did unpack them as they are
    expect(fs.statSync(path.join(layer, 'kmsg')).isCharacterDevice()).toBe(true);
    expectAllRefused(
      probeAsNobody(env, [
        ['exec', path.join(layer, 'suid-id')],
        ['write', path.join(layer, 'kmsg')],
        ['read', path.join(layer, 'kmsg')],
      ]),
    );
  });

  it('cannot read state records, logs or rendered secrets, nor drive the supervisor', () => {
    const stackDir = path.join(root(), 'stacks', project);
    const record = path.join(stackDir, 'state', 'containers', `${app()}.json`);
    const log = path.join(stackDir, 'logs', `${app()}.log`);
    // They hold the secrets (so reading them is the attack): the env_file's value, the secret's content, the output.
    expect(fs.readFileSync(record, 'utf8')).toContain(secret);
    expect(fs.readFileSync(path.join(stackDir, 'state', 'containers', `${project}-worker-1.json`), 'utf8')).toContain(
      token,
    );
    expect(fs.readFileSync(log, 'utf8')).toContain(`the secret is ${secret}`);
    const rendered = fs
      .readdirSync(path.join(run(), project, 'containers', `${project}-worker-1`), {
        recursive: true,
        withFileTypes: true,
      })
      .filter((e) => e.isFile())
      .map((e): Attempt => ['read', path.join(e.parentPath, e.name)]);
    expect(rendered.length).toBeGreaterThan(0);
    expectAllRefused(
      probeAsNobody(env, [
        ['read', record],
        ['read', log],
        ['read', path.join(stackDir, 'supervisor.log')],
        ['read', path.join(stackDir, 'journal.jsonl')],
        ...rendered,
        ['connect', path.join(run(), project, 'supervisor.sock')],
      ]),
    );
  });

  it('keeps STACK_ROOT and STACK_RUN private, records and logs root-only', () => {
    expect(mode(root())).toBe(0o700);
    expect(mode(run())).toBe(0o700);
    const stackDir = path.join(root(), 'stacks', project);
    for (const dir of [
      path.join(stackDir, 'state'),
      path.join(stackDir, 'state', 'containers'),
      path.join(stackDir, 'logs'),
      path.join(stackDir, 'containers', app()),
      path.join(root(), 'images'),
      path.join(root(), 'volumes'),
    ]) {
      expect([dir, mode(dir)]).toEqual([dir, 0o700]);
    }
    for (const f of [
      path.join(stackDir, 'state', 'containers', `${app()}.json`),
      path.join(stackDir, 'logs', `${app()}.log`),
      path.join(stackDir, 'supervisor.log'),
    ]) {
      expect([f, mode(f)]).toEqual([f, 0o600]);
    }
  });

  it('still runs a container as user 1000 with its volume, bind mount, secret and a writable rootfs', () => {
    const r = stack(env, [
      '-f',
      file,
      'exec',
      'worker',
      'sh',
      '-c',
      'id -u; stat -c %a /; cat /run/secrets/tok; echo; cat /site/page.txt; ls -d /data; echo written > /tmp/w && cat /tmp/w; grep -c localhost /etc/hosts',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`1000\n755\n${token}\nfrom the host\n/data\nwritten\n2\n`);
    expect(r.code).toBe(0);
  });

  // nobody has no subordinate ids, so rootless mode refuses it before anything is touched.
  it('gets a clear rootless prerequisite error from every command that reads or changes host state, and nothing is touched', () => {
    const fresh = uniqueProject('tlocal');
    for (const args of [
      ['-f', file, 'ps'],
      ['-f', file, 'logs', 'app'],
      ['-f', file, 'plan'],
      ['-p', fresh, 'up', '-d'],
      ['image', 'ls'],
      ['volume', 'ls'],
    ]) {
      const r = asNobody(env, path.join(repoRoot, 'bin/stack'), args);
      expect([args, r.stdout, r.stderr, r.code]).toEqual([
        args,
        '',
        expect.stringMatching(
          /rootless mode cannot start for this user:.*subids: \/etc\/subuid has no range for nobody/s,
        ),
        1,
      ]);
      expect(r.stderr).not.toContain(secret);
    }
    expect(fs.existsSync(path.join(root(), 'stacks', fresh))).toBe(false);
    expect(fs.existsSync(path.join(run(), fresh))).toBe(false);
  });

  it('may still read and check a stack file it can read (config, graph) and ask for help', () => {
    const pure = path.join(env.root, 'pure.yaml');
    fs.writeFileSync(pure, `name: ${project}\nservices:\n  web:\n    image: ${TEST_IMAGE}\n`);
    for (const args of [['-f', pure, 'config', '-q'], ['-f', pure, 'graph'], ['--help'], ['ps', '--help']]) {
      const r = asNobody(env, path.join(repoRoot, 'bin/stack'), args);
      expect([args, r.code, r.stderr]).toEqual([args, 0, '']);
    }
  });
});

describe('a STACK_ROOT made by an older stack (every folder 0755, records 0644)', () => {
  let env: StackEnv;
  const layer = 'a'.repeat(64);

  beforeAll(() => {
    env = openStackEnv();
    const root = env.env.STACK_ROOT!;
    const old = (p: string, body?: string) => {
      const full = path.join(root, p);
      fs.mkdirSync(body === undefined ? full : path.dirname(full), { recursive: true, mode: 0o755 });
      if (body !== undefined) fs.writeFileSync(full, body, { mode: 0o644 });
    };
    for (const f of [
      'stacks/old/state/containers/old-app-1.json',
      'stacks/old/state/nat.json',
      'stacks/old/journal.jsonl',
      'stacks/old/supervisor.log',
      'stacks/old/logs/old-app-1.log',
      'stacks/old/logs/old-app-1.log.times',
      'volumes/v/volume.json',
      'images/refs/x.json',
      'images/tmp/hold-1.json',
    ])
      old(f, '{}\n');
    for (const d of ['stacks/old/containers/old-app-1/upper', 'volumes/v/_data', `images/layers/${layer}/bin`]) old(d);
    fs.mkdirSync(path.join(env.env.STACK_RUN!, 'old'), { recursive: true, mode: 0o755 });
    for (const d of [root, env.env.STACK_RUN!]) fs.chmodSync(d, 0o755);
  });

  afterAll(() => env.dispose());

  it('is made private by the next command, leaving what containers see as it was', () => {
    const r = stack(env, ['-p', 'another', 'ps']);
    expect(r.code, r.stderr).toBe(0);
    const root = env.env.STACK_ROOT!;
    const modes = (list: string[]) =>
      Object.fromEntries(list.map((p) => [p, (mode(path.join(root, p)) & 0o777).toString(8)]));
    const dirs = [
      '.',
      'stacks',
      'stacks/old',
      'stacks/old/state',
      'stacks/old/state/containers',
      'stacks/old/logs',
      'stacks/old/containers',
      'stacks/old/containers/old-app-1',
      'volumes',
      'volumes/v',
      'images',
      'images/layers',
      'images/refs',
      'images/tmp',
    ];
    expect(modes(dirs)).toEqual(Object.fromEntries(dirs.map((d) => [d, '700'])));
    const files = [
      'stacks/old/state/containers/old-app-1.json',
      'stacks/old/state/nat.json',
      'stacks/old/journal.jsonl',
      'stacks/old/supervisor.log',
      'stacks/old/logs/old-app-1.log',
      'stacks/old/logs/old-app-1.log.times',
      'volumes/v/volume.json',
      'images/refs/x.json',
    ];
    expect(modes(files)).toEqual(Object.fromEntries(files.map((f) => [f, '600'])));
    // What containers see keeps its mode: the root of an upper dir, a layer, a volume.
    expect(modes(['stacks/old/containers/old-app-1/upper', 'volumes/v/_data', `images/layers/${layer}`])).toEqual({
      'stacks/old/containers/old-app-1/upper': '755',
      'volumes/v/_data': '755',
      [`images/layers/${layer}`]: '755',
    });
    expect((mode(env.env.STACK_RUN!) & 0o777).toString(8)).toBe('700');
    expect((mode(path.join(env.env.STACK_RUN!, 'old')) & 0o777).toString(8)).toBe('700');
  });
});
