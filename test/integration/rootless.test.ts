// Rootless mode end to end (issue 22): an ordinary user the test makes with useradd (which
// gives it subordinate id ranges from login.defs, and userdel takes them away again) runs
// stack with no STACK_ROOT or STACK_RUN of its own choosing: the defaults under its home
// and its runtime folder. As that user: the test image imported, a stack up with a port
// published on 127.0.0.1, DNS by service name, two networks isolated, a named volume whose
// files carry the mapped owners, exec, limits that warn, a root-only host file a container
// cannot read, and a down that leaves no process, mount, link or table behind. The network
// part runs over each connector (pasta, slirp4netns: both in CI), with the connector killed
// and a host resolver on loopback (in a namespace of the test's own); a file with what
// rootless mode cannot do is refused at load and changes nothing.

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, httpGet, makeStackEnv, repoRoot, stack, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { newObjects, snapshotHostObjects } from '../support/host-objects.js';
import { psJson } from '../support/ps-json.js';
import { INIT_STAGES } from '../support/init-stages.js';
import { waitFor } from '../support/processes.js';
import { makeLoopbackResolverNs } from '../support/loopback-resolver-ns.js';
import { CONNECTORS } from '../../model/rootless-connector.js';

const USER = `stkrs${process.pid}`;
const TUN = '/dev/net/tun';
let env: StackEnv;
let uid: number;
let subuidStart: number;
let home: string;
let wrap: string[];
let tunMode: number | undefined;
const project = `trootless${process.pid}`;
const before = snapshotHostObjects();

function must(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const portRefused = (p: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(p, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

/** Both in CI (host-deps.sh installs passt and slirp4netns), so neither is skipped there. */
const connectors = CONNECTORS.filter((c) => process.env.CI || spawnSync('sh', ['-c', `command -v ${c}`]).status === 0);
const files: string[] = [];

const userPids = () =>
  spawnSync('ps', ['-u', USER, '-o', 'pid=,comm='], { encoding: 'utf8' })
    .stdout.split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

beforeAll(() => {
  env = makeStackEnv();
  fs.chmodSync(env.root, 0o755); // the user reaches its home and runtime folder in here
  must('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
  uid = Number(must('id', ['-u', USER]).trim());
  const gid = Number(must('id', ['-g', USER]).trim());
  subuidStart = Number(
    fs
      .readFileSync('/etc/subuid', 'utf8')
      .split('\n')
      .find((l) => l.startsWith(`${USER}:`))!
      .split(':')[1],
  );
  home = path.join(env.root, 'home');
  const runtimeDir = path.join(env.root, 'xdg-run');
  for (const dir of [home, runtimeDir]) {
    fs.mkdirSync(dir, { mode: 0o700 });
    fs.chownSync(dir, uid, gid);
  }
  // slirp4netns opens /dev/net/tun as the user: udev makes it 0666, a bare devtmpfs 0600.
  const mode = fs.statSync(TUN).mode & 0o777;
  if ((mode & 0o006) !== 0o006) {
    tunMode = mode;
    fs.chmodSync(TUN, 0o666);
  }
  const { STACK_ROOT: _r, STACK_RUN: _u, ...inherited } = env.env;
  env.env = {
    ...inherited,
    HOME: home,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_DATA_HOME: '',
    STACK_SYSTEMD_UNIT_DIR: path.join(home, 'systemd'),
  };
  wrap = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
  env.wrap = wrap;

  const layout = path.join(env.root, 'busybox-oci');
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-busybox-image.mjs'), layout, '--tag', TEST_IMAGE]);
  execFileSync('chmod', ['-R', 'a+rX', layout]);
  const imported = stack(env, ['image', 'import', layout, '--tag', TEST_IMAGE], home);
  if (imported.code !== 0) throw new Error(`import as ${USER}: ${imported.stderr}`);
});

afterAll(() => {
  env.wrap = wrap;
  for (const f of files) stack(env, ['-f', f, 'down', '-v', '-t', '0'], home);
  for (const line of userPids()) process.kill(Number(line.split(/\s+/)[0]), 'SIGKILL');
  spawnSync('userdel', [USER]);
  const ranges = fs.readFileSync('/etc/subuid', 'utf8') + fs.readFileSync('/etc/subgid', 'utf8');
  expect(
    ranges.split('\n').some((l) => l.startsWith(`${USER}:`)),
    'userdel leaves no subordinate range',
  ).toBe(false);
  if (tunMode !== undefined) fs.chmodSync(TUN, tunMode);
  env.dispose();
});

describe('rootless mode: stack as an ordinary user', () => {
  it('imported the image into the store under its home, owned by the user (root of its namespace)', () => {
    const layers = path.join(home, '.local/share/stack/images/layers');
    const [layer] = fs.readdirSync(layers);
    expect(fs.statSync(path.join(layers, layer!, 'bin')).uid).toBe(uid);
  });
});

describe.each(connectors)('rootless mode over %s', (connector) => {
  const name = `${project}${connector.slice(0, 1)}`;
  let file: string;
  let port: number;
  let runPort: number;
  const holderRecord = () =>
    JSON.parse(fs.readFileSync(path.join(env.root, 'xdg-run/stack/rootless/holder.json'), 'utf8')) as {
      connector: string;
      netPid: number;
    };

  beforeAll(() => {
    env.env.STACK_ROOTLESS_NET = connector;
    env.wrap = wrap;
  });

  it('brings a stack up and says which limits it cannot enforce', async () => {
    port = await freePort();
    file = path.join(home, `${connector}.yaml`);
    files.push(file);
    fs.writeFileSync(
      file,
      `name: ${name}
services:
  web:
    image: ${TEST_IMAGE}
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1:${port}:80"]
    networks: [front]
    volumes: [data:/data, /etc/shadow:/host-shadow:ro]
    stop_grace_period: 1s
  client:
    image: ${TEST_IMAGE}
    command: sleep 1000
    networks: [front]
    stop_grace_period: 0s
  other:
    image: ${TEST_IMAGE}
    command: sleep 1000
    networks: [back]
    mem_limit: 64m
    stop_grace_period: 0s
networks:
  front: {}
  back: {}
volumes:
  data: {}
`,
    );
    fs.chmodSync(file, 0o644);
    const up = stack(env, ['-f', file, 'up', '-d'], home);
    expect(up.stderr).toContain('mem_limit of service "other" is not enforced: in rootless mode');
    expect(up.code, up.stderr).toBe(0);
    expect(holderRecord().connector).toBe(connector);
    const rows = psJson(stack(env, ['-f', file, 'ps', '--format', 'json'], home).stdout) as {
      service: string;
      state: string;
    }[];
    expect(rows.map((r) => [r.service, r.state]).sort()).toEqual([
      ['client', 'running'],
      ['other', 'running'],
      ['web', 'running'],
    ]);
  });

  it("answers the published port on the host's 127.0.0.1", async () => {
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
  });

  it("publishes a one-off's -p port on the host's 127.0.0.1 (run -d), through the connector too", async () => {
    runPort = await freePort();
    const r = stack(env, ['-f', file, 'run', '-d', '--no-deps', '-p', `127.0.0.1:${runPort}:80`, 'web'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(await httpGet(`http://127.0.0.1:${runPort}/`)).toContain('hello from stack');
  });

  it('resolves a service by its name', () => {
    const r = stack(env, ['-f', file, 'exec', 'client', 'wget', '-qO-', 'http://web/'], home);
    expect(r.stdout).toContain('hello from stack');
    expect(r.code).toBe(0);
  });

  it('keeps two networks apart', () => {
    const rows = psJson(stack(env, ['-f', file, 'ps', '--format', 'json'], home).stdout) as {
      service: string;
      addresses: { ip: string }[];
    }[];
    const webIp = rows.find((r) => r.service === 'web')!.addresses[0]!.ip;
    const r = stack(
      env,
      ['-f', file, 'exec', 'other', 'sh', '-c', `wget -q -T 2 -O- http://${webIp}/ && echo reached || echo blocked`],
      home,
    );
    expect(r.stdout.trim().split('\n').pop()).toBe('blocked');
  });

  it("runs exec as root of the user's namespace: uid 0 inside is the user's uid outside", () => {
    const r = stack(env, ['-f', file, 'exec', 'web', 'sh', '-c', 'id -u; head -1 /proc/self/uid_map'], home);
    expect(r.code, r.stderr).toBe(0);
    const [id, map] = r.stdout.trim().split('\n');
    expect(id).toBe('0');
    expect(map!.trim().split(/\s+/)).toEqual(['0', String(uid), '1']);
  });

  it('starts Node once per command while the holder runs over slirp4netns: the launcher enters the namespaces itself', async () => {
    // The command's own process (setpriv execs bin/stack) becomes nsenter on the short path
    // (bin/rootless-enter.sh); on the full path it becomes the outer Node, which pasta needs.
    const child = spawn(
      wrap[0]!,
      [...wrap.slice(1), path.join(repoRoot, 'bin/stack'), '-f', file, 'exec', 'web', 'sh', '-c', 'read x; echo read'],
      { cwd: home, env: env.env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += String(d)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const comm = () => fs.readFileSync(`/proc/${child.pid}/comm`, 'utf8').trim();
    const became = await waitFor(() => (['node', 'nsenter'].includes(comm()) ? comm() : undefined));
    child.stdin!.end('go\n');
    expect(await exited).toBe(0);
    expect(out).toContain('read');
    expect(became).toBe(connector === 'slirp4netns' ? 'nsenter' : 'node');
  });

  it('runs from a folder below one other users may only cross (mode 0711, as many homes are)', () => {
    // The inner command's cwd must be opened in the user's namespaces: one carried over from
    // the host's mount namespace is unreachable there, and getcwd then walks up with readdir.
    const crossOnly = path.join(env.root, 'cross-only');
    const project = path.join(crossOnly, 'project');
    fs.mkdirSync(project, { recursive: true });
    fs.chmodSync(crossOnly, 0o711);
    fs.chownSync(project, uid, fs.statSync(home).gid);
    const r = stack(env, ['-f', file, 'ps', '--services'], project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')).toContain('web');
  });

  it("gives a container's root nothing of the host's root: a root-only host file stays unreadable", () => {
    const r = stack(env, ['-f', file, 'exec', 'web', 'cat', '/host-shadow'], home);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Permission denied');
  });

  it('keeps a named volume with the mapped owners: root inside is the user, uid 1000 a subordinate id', () => {
    const r = stack(
      env,
      ['-f', file, 'exec', 'web', 'sh', '-c', 'echo x > /data/f && chown 1000:1000 /data/f && stat -c %u /data/f'],
      home,
    );
    expect(r.stdout.trim()).toBe('1000');
    const data = path.join(home, '.local/share/stack/volumes', `${name}_data`, '_data');
    expect(fs.statSync(data).uid).toBe(uid);
    expect(fs.statSync(path.join(data, 'f')).uid).toBe(subuidStart + 999);
  });

  it('killed, the connector is started again by the next command with the published ports; the containers live on', async () => {
    const pidsOf = () =>
      Object.fromEntries(
        (
          psJson(stack(env, ['-f', file, 'ps', '--format', 'json'], home).stdout) as { service: string; pid: number }[]
        ).map((r) => [r.service, r.pid]),
      );
    const before = pidsOf();
    const killed = holderRecord().netPid;
    process.kill(killed, 'SIGKILL');
    // Gone, or a zombie its parent has not reaped yet.
    await waitFor(() => {
      try {
        return fs.readFileSync(`/proc/${killed}/stat`, 'utf8').split(') ')[1]!.startsWith('Z');
      } catch {
        return true;
      }
    });
    expect(await portRefused(port)).toBe(true);
    expect(await portRefused(runPort)).toBe(true);
    expect(pidsOf()).toEqual(before); // this command found the connector gone and started another
    expect(holderRecord()).toMatchObject({ connector });
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
    expect(await httpGet(`http://127.0.0.1:${runPort}/`)).toContain('hello from stack');
  });

  it("publishes a foreground up's ports while it runs (pasta is started again as the records change)", async () => {
    const fgPort = await freePort();
    const fgFile = path.join(home, `${connector}-fg.yaml`);
    fs.writeFileSync(
      fgFile,
      `name: ${name}fg\nservices:\n  fg:\n    image: ${TEST_IMAGE}\n    command: httpd -f -p 80 -h /www\n    ports: ["127.0.0.1:${fgPort}:80"]\n    stop_grace_period: 0s\n`,
    );
    fs.chmodSync(fgFile, 0o644);
    const up = spawn(wrap[0]!, [...wrap.slice(1), path.join(repoRoot, 'bin/stack'), '-f', fgFile, 'up'], {
      cwd: home,
      env: env.env,
      stdio: 'ignore',
      detached: true, // a process group of its own: Ctrl-C below reaches it as a terminal's would
    });
    const ended = new Promise((resolve) => up.once('exit', resolve));
    try {
      await waitFor(async () => (await httpGet(`http://127.0.0.1:${fgPort}/`).catch(() => '')).includes('hello'));
    } finally {
      process.kill(-up.pid!, 'SIGINT'); // stops the stack, as Ctrl-C does
      await ended;
      const down = stack(env, ['-f', fgFile, 'down', '-t', '0'], home);
      expect(down.code, down.stderr).toBe(0);
    }
    expect(await portRefused(fgPort)).toBe(true);
  });

  it('refuses a host port that is taken, naming it; the ports it published still answer', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const takenPort = (taken.address() as net.AddressInfo).port;
    try {
      const r = stack(env, ['-f', file, 'run', '-d', '--no-deps', '-p', `127.0.0.1:${takenPort}:80`, 'web'], home);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`cannot publish 127.0.0.1:${takenPort}/tcp on the host`);
      expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
      // Not tried again by every later command.
      const ps = stack(env, ['-f', file, 'ps'], home);
      expect(ps.code, ps.stderr).toBe(0);
      expect(await httpGet(`http://127.0.0.1:${runPort}/`)).toContain('hello from stack');
    } finally {
      taken.close();
    }
  });

  it("comes down with the user's last stack: no process of the user, no forwarded port", async () => {
    const down = stack(env, ['-f', file, 'down', '-v', '-t', '0'], home);
    expect(down.code, down.stderr).toBe(0);
    expect(userPids()).toEqual([]);
    expect(await portRefused(port)).toBe(true);
    expect(await portRefused(runPort)).toBe(true);
  });

  it("asks a host resolver on loopback (127.0.0.53) through the connector's DNS forwarder", async () => {
    // Before, the stack's resolver asked 127.0.0.53 in the user's namespace, where nothing listens.
    const resolver = await makeLoopbackResolverNs();
    const dnsFile = path.join(home, `${connector}-dns.yaml`);
    env.wrap = [...resolver.enter, ...wrap];
    let down: ReturnType<typeof stack>;
    try {
      fs.writeFileSync(
        dnsFile,
        `name: ${name}dns\nservices:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n    stop_grace_period: 0s\n`,
      );
      fs.chmodSync(dnsFile, 0o644);
      const up = stack(env, ['-f', dnsFile, 'up', '-d'], home);
      expect(up.code, up.stderr).toBe(0);
      const r = stack(env, ['-f', dnsFile, 'exec', 'a', 'nslookup', '-type=a', resolver.name], home);
      expect(r.stdout).toContain(`Address: ${resolver.ip}`);
      expect(resolver.asked()).toContain(resolver.name);
    } finally {
      // The user's last down, in the namespace the holder was made in: the holder goes too.
      down = stack(env, ['-f', dnsFile, 'down', '-t', '0'], home);
      env.wrap = wrap;
      resolver.dispose();
    }
    expect(down.code, down.stderr).toBe(0);
    expect(userPids()).toEqual([]);
  });
});

describe.each(INIT_STAGES)('rootless one-off with the %s init stage', (stage) => {
  it("gets /dev's nodes as binds of the host's (a user namespace may not mknod them) and runs", () => {
    const stageEnv = { ...env, env: { ...env.env, STACK_INIT_STAGE: stage === 'node' ? 'node' : '' } };
    const r = stack(
      stageEnv,
      [
        'run',
        '--rm',
        '--image',
        TEST_IMAGE,
        '--',
        'sh',
        '-c',
        'echo gone > /dev/null && head -c 3 /dev/zero | wc -c && stat -c %t:%T /dev/null',
      ],
      home,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['3', '1:3']);
    expect(r.code).toBe(0);
  });
});

describe('rootless images', () => {
  it('builds a RUN step that replaces a folder of the base image (an opaque folder, user.overlay.opaque) and runs it', () => {
    const dir = path.join(home, 'built');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'Dockerfile'),
      `FROM ${TEST_IMAGE}\nRUN rm -rf /www && mkdir /www && echo new > /www/only\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'stack.yaml'),
      `name: ${project}b\nservices:\n  app:\n    build: .\n    image: stack.local/rootless-built:1\n`,
    );
    execFileSync('chown', ['-R', `${uid}`, dir]);
    const built = stack(env, ['-f', path.join(dir, 'stack.yaml'), 'build'], dir);
    expect(built.code, built.stderr).toBe(0);
    const r = stack(env, ['run', '--rm', '--image', 'stack.local/rootless-built:1', '--', 'ls', '/www'], home);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('only\n');
  });
});

describe('rootless IPv6', () => {
  it("brings up and down a stack on an IPv6 network: IPv6 forwarding is the user's namespace's, kept in its STACK_RUN", () => {
    const dir = path.join(home, 'v6');
    fs.mkdirSync(dir);
    const v6file = path.join(dir, 'stack.yaml');
    fs.writeFileSync(
      v6file,
      `name: ${project}6\nservices:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n    networks: [v6]\n    stop_grace_period: 0s\nnetworks:\n  v6:\n    enable_ipv6: true\n`,
    );
    execFileSync('chown', ['-R', `${uid}`, dir]);
    const up = stack(env, ['-f', v6file, 'up', '-d'], dir);
    expect(up.code, up.stderr).toBe(0);
    const addr = stack(env, ['-f', v6file, 'exec', 'app', 'ip', '-6', 'addr', 'show', 'eth0'], dir);
    expect(addr.stdout).toContain('scope global');
    const down = stack(env, ['-f', v6file, 'down', '-t', '0'], dir);
    expect(down.code, down.stderr).toBe(0);
  });
});

describe('rootless mode: the end', () => {
  it('comes down leaving no process of the user, no mount and no host object', () => {
    const down = stack(env, ['-f', files[0]!, 'down', '-v', '-t', '0'], home);
    expect(down.code, down.stderr).toBe(0);
    expect(userPids()).toEqual([]);
    expect(fs.readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(env.root);
    expect(newObjects(before, snapshotHostObjects())).toEqual({});
  });

  it('refuses at load, at its line, what rootless mode cannot do, and changes nothing', () => {
    // Before, up made the stack's network and then failed at start with mknod's EPERM.
    const refused = path.join(home, 'refused.yaml');
    fs.writeFileSync(
      refused,
      `name: ${project}r\nservices:\n  a:\n    image: ${TEST_IMAGE}\n    privileged: true\n    devices: [/dev/fuse]\n`,
    );
    fs.chmodSync(refused, 0o644);
    const up = stack(env, ['-f', refused, 'up', '-d'], home);
    expect(up.code).toBe(1);
    expect(up.stderr).toContain(`refused.yaml:5:17: privileged: true of service "a" cannot be run rootless`);
    expect(up.stderr).toContain('    privileged: true\n');
    expect(up.stderr).toContain('refused.yaml:6:5: devices of service "a" cannot be given rootless');
    expect(up.stderr).toContain('nothing was changed');
    expect(fs.existsSync(path.join(home, '.local/share/stack/stacks', `${project}r`))).toBe(false);
    expect(userPids()).toEqual([]); // the namespaces this command made went with it
    expect(newObjects(before, snapshotHostObjects())).toEqual({});
  });
});
