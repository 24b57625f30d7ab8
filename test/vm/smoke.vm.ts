// The VM lane's smoke suite (scripts/vm/run.mjs boots Debian 12's 6.1 kernel with cgroup v2
// only and runs this as root inside it): the built CLI drives a real stack on a real v2
// controller — published port, memory/cpu/pids limits, an OOM kill, the eBPF device filter,
// the container's read-only view of its own group, `exec`, cgroup kill on `down`, and no
// host object left behind. node:test, not vitest: it starts in a second under TCG.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { snapshotHostObjects, type HostObjects } from '../support/host-objects.js';
import {
  freePort,
  httpGet,
  importTestImage,
  makeStackEnv,
  TEST_IMAGE,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { cgroupFile, noNewObjects, ok, stack } from './vm-support.js';
import { psJson } from '../support/ps-json.js';

describe('a two-service stack on cgroup v2 (Debian 12 kernel)', () => {
  let env: StackEnv;
  let file: string;
  let project: string;
  let port: number;
  let hostBefore: HostObjects;
  const group = (service: string) => `${project}-${service}-1`;
  const read = (service: string, name: string) =>
    fs.readFileSync(cgroupFile(project, group(service), name), 'utf8').trim();
  const exec = (service: string, ...cmd: string[]) => stack(env, ['-f', file, 'exec', service, ...cmd]);

  before(async () => {
    assert.ok(
      fs.existsSync('/sys/fs/cgroup/cgroup.controllers'),
      'the guest must have the unified hierarchy at /sys/fs/cgroup',
    );
    hostBefore = snapshotHostObjects();
    env = makeStackEnv();
    importTestImage(env);
    project = uniqueProject('stkvm');
    port = await freePort();
    file = writeStackFile(
      env,
      project,
      `  web:
    image: ${TEST_IMAGE}
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1:${port}:80"]
    depends_on: [db]
    mem_limit: 64m
    cpus: 0.5
    pids_limit: 20
    stop_grace_period: 0s
  db:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
  hog:
    image: ${TEST_IMAGE}
    command: dd if=/dev/zero of=/dev/null bs=64M count=1
    mem_limit: 16m
    restart: "no"
    network_mode: none
`,
    );
  });

  after(() => {
    stack(env, ['-f', file, 'down', '-t', '0']);
    env.dispose();
  });

  // First: the supervisor's first container (its namespace window once ran in a chroot,
  // and every path after it resolved outside: memory.events could not be read any more).
  it('a one-off container over its memory limit exits 137 and ps shows it OOMKilled', () => {
    assert.equal(
      stack(env, ['-f', file, 'run', '-m', '16m', 'hog', 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=64M', 'count=1'])
        .code,
      137,
    );
    assert.match(
      stack(env, ['-f', file, 'ps', '-a']).stdout,
      new RegExp(`${project}-hog-run-[0-9a-f]{6}\\s+hog\\s+exited \\(137, OOMKilled\\)`),
    );
  });

  it('up -d starts the stack and the published port answers on the loopback', async () => {
    ok(stack(env, ['-f', file, 'up', '-d']), 'up -d');
    assert.match(await httpGet(`http://127.0.0.1:${port}/`), /./);
  });

  it('writes the limits into the v2 group: memory.max, cpu.max, pids.max', () => {
    assert.equal(read('web', 'memory.max'), String(64 * 1024 * 1024));
    assert.equal(read('web', 'cpu.max'), '50000 100000');
    assert.equal(read('web', 'pids.max'), '20');
  });

  it('ps shows the OOM-killed container as exited (137, OOMKilled)', async () => {
    let ps = '';
    for (let i = 0; i < 100 && !/exited/.test(ps); i++) {
      ps = stack(env, ['-f', file, 'ps', '-a']).stdout;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(ps, new RegExp(`${group('hog')}\\s+hog\\s+exited \\(137, OOMKilled\\)`));
    const json = psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as {
      name: string;
      oomKilled?: boolean;
    }[];
    assert.equal(json.find((r) => r.name === group('hog'))?.oomKilled, true);
  });

  it('exec runs in the container and returns its exit code', () => {
    assert.equal(ok(exec('web', 'hostname'), 'exec hostname').stdout.trim().length > 0, true);
    assert.equal(exec('web', 'sh', '-c', 'exit 3').code, 3);
  });

  it('the container sees its own group read-only at /sys/fs/cgroup', () => {
    assert.equal(
      ok(exec('web', 'cat', '/sys/fs/cgroup/memory.max'), 'cat memory.max').stdout.trim(),
      String(64 * 1024 * 1024),
    );
    const write = exec('web', 'sh', '-c', 'echo max > /sys/fs/cgroup/memory.max');
    assert.notEqual(write.code, 0);
    assert.match(write.stderr, /Read-only file system/);
  });

  it('the eBPF device filter: /dev/null works, a disk node can be made but not opened', () => {
    const r = exec(
      'web',
      'sh',
      '-c',
      [
        'echo x > /dev/null && echo null=ok || echo null=denied',
        'mknod /tmp/disk b 8 0 && echo mknod=ok || echo mknod=denied',
        'head -c1 /tmp/disk >/dev/null 2>&1 && echo disk=ok || echo disk=denied',
        'mknod /tmp/mem c 1 1 && head -c1 /tmp/mem >/dev/null 2>&1 && echo mem=ok || echo mem=denied',
      ].join('; '),
    );
    assert.deepEqual(ok(r, 'device probe').stdout.trim().split('\n'), [
      'null=ok',
      'mknod=ok',
      'disk=denied',
      'mem=denied',
    ]);
  });

  it('pids.max stops a fork bomb in the container (pids.events counts it)', () => {
    exec('web', 'sh', '-c', 'for i in $(seq 40); do sleep 3 & done 2>/dev/null; wait');
    assert.match(read('web', 'pids.events'), /^max [1-9]/m);
  });

  it('cpu.max throttles a busy loop (cpu.stat counts throttled periods)', () => {
    exec('web', 'timeout', '2', 'sh', '-c', 'while :; do :; done');
    assert.match(read('web', 'cpu.stat'), /^nr_throttled [1-9]/m);
    assert.ok(Number(read('web', 'memory.current')) > 0);
  });

  it("down kills every process of the containers' groups and removes them", () => {
    const pids = ['web', 'db'].flatMap((s) => read(s, 'cgroup.procs').split('\n').filter(Boolean).map(Number));
    assert.ok(pids.length >= 2, `processes in the groups: ${pids.join(' ')}`);
    // A process that left the container's init behind (daemonized) must go too.
    ok(exec('db', 'sh', '-c', 'setsid sleep 1000 </dev/null >/dev/null 2>&1 &'), 'daemonize');
    const after = read('db', 'cgroup.procs').split('\n').filter(Boolean).map(Number);
    ok(stack(env, ['-f', file, 'down', '-t', '0']), 'down');
    for (const pid of [...pids, ...after]) assert.equal(fs.existsSync(`/proc/${pid}`), false, `pid ${pid} is left`);
    assert.equal(fs.existsSync(path.join('/sys/fs/cgroup/stack', project)), false);
  });

  it('leaves no link, nft table, mount, cgroup or process behind', async () => {
    await noNewObjects(hostBefore);
  });
});
