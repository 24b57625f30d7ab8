// The cgroup and process knobs of issue 18 on a real cgroup v2 kernel (the host runs v1):
// cpu_period/cpu_quota as cpu.max, cpuset delegated and applied, oom_score_adj, group_add,
// devices and device_cgroup_rules through the container's own eBPF device program, and the
// located warnings for mem_swappiness and oom_kill_disable, which v2 has no knob for;
// cgroup_parent's group under a parent stack makes, and removes at down (noNewObjects).

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { snapshotHostObjects, type HostObjects } from '../support/host-objects.js';
import {
  importTestImage,
  makeStackEnv,
  TEST_IMAGE,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { cgroupFile, noNewObjects, ok, stack } from './vm-support.js';

// A misc device outside docker's default list that root may read without any capability
// (PM QoS: reading gives the current latency target); its minor is given at boot.
const LATENCY = '/dev/cpu_dma_latency';

describe('cgroup knobs on cgroup v2 (Debian 12 kernel)', () => {
  let latency: { major: number; minor: number };
  let env: StackEnv;
  let file: string;
  let project: string;
  let hostBefore: HostObjects;
  let upStderr = '';
  const read = (service: string, name: string) =>
    fs.readFileSync(cgroupFile(project, `${project}-${service}-1`, name), 'utf8').trim();
  const exec = (service: string, script: string) =>
    ok(stack(env, ['-f', file, 'exec', service, 'sh', '-c', script]), script).stdout.trim();

  before(() => {
    hostBefore = snapshotHostObjects();
    const { rdev } = fs.statSync(LATENCY);
    latency = { major: rdev >> 8, minor: rdev & 0xff };
    env = makeStackEnv();
    importTestImage(env);
    project = uniqueProject('stkvmk');
    file = writeStackFile(
      env,
      project,
      `  knobs:
    image: ${TEST_IMAGE}
    command: sleep 1000
    network_mode: none
    stop_grace_period: 0s
    cpu_period: 50000
    cpu_quota: 25000
    cpuset: "1"
    oom_score_adj: 500
    mem_swappiness: 10
    oom_kill_disable: true
    user: nobody
    group_add: [root, 4242]
    devices: ["/dev/zero:/dev/stkzero"]
  rule:
    image: ${TEST_IMAGE}
    command: sleep 1000
    network_mode: none
    stop_grace_period: 0s
    devices: ["${LATENCY}:/dev/stklat:m"]
    device_cgroup_rules: ["c ${latency.major}:${latency.minor} r"]
  norule:
    image: ${TEST_IMAGE}
    command: sleep 1000
    network_mode: none
    stop_grace_period: 0s
    devices: ["${LATENCY}:/dev/stklat:m"]
  parented:
    image: ${TEST_IMAGE}
    command: sleep 1000
    network_mode: none
    stop_grace_period: 0s
    cgroup_parent: /stkvm-parent/sub
    cpuset: "0"
`,
    );
    upStderr = ok(stack(env, ['-f', file, 'up', '-d']), 'up -d').stderr;
  });

  after(() => {
    stack(env, ['-f', file, 'down', '-t', '0']);
    env.dispose();
  });

  it('warns at their lines that mem_swappiness and oom_kill_disable have no effect on v2', () => {
    assert.match(
      upStderr,
      /stack\.yaml:\d+:\d+: mem_swappiness of service "knobs" has no effect: this host has cgroup v2/,
    );
    assert.match(upStderr, /stack\.yaml:\d+:\d+: oom_kill_disable of service "knobs" has no effect/);
  });

  it('cpu_period and cpu_quota are cpu.max; cpuset is delegated and pins the container', () => {
    assert.equal(read('knobs', 'cpu.max'), '25000 50000');
    assert.equal(read('knobs', 'cpuset.cpus'), '1');
    assert.equal(exec('knobs', 'grep Cpus_allowed_list /proc/self/status').split(/\s+/)[1], '1');
  });

  it('oom_score_adj and group_add are what the container process has', () => {
    assert.equal(exec('knobs', 'cat /proc/1/oom_score_adj'), '500');
    const groups = exec('knobs', 'grep Groups /proc/1/status').split(/\s+/).slice(1).map(Number);
    for (const g of [65534, 0, 4242]) assert.ok(groups.includes(g), `groups ${groups.join(' ')} lack ${g}`);
  });

  it('devices appear and open as allowed; device_cgroup_rules opens what the default list does not', () => {
    assert.equal(exec('knobs', 'head -c 4 /dev/stkzero | wc -c'), '4');
    const probe = 'head -c 1 /dev/stklat >/dev/null 2>&1 && echo open || echo denied';
    assert.equal(exec('rule', probe), 'open');
    assert.equal(exec('norule', probe), 'denied');
  });

  it('cgroup_parent: the group is under the parent, with cpuset delegated down every level of it', () => {
    const group = `/stkvm-parent/sub/stk-${project}.${project}-parented-1`;
    assert.equal(fs.readFileSync(`/sys/fs/cgroup${group}/cpuset.cpus`, 'utf8').trim(), '0');
    const pid = fs.readFileSync(`/sys/fs/cgroup${group}/cgroup.procs`, 'utf8').trim().split('\n')[0]!;
    assert.equal(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim(), `0::${group}`);
    assert.equal(exec('parented', 'grep Cpus_allowed_list /proc/self/status').split(/\s+/)[1], '0');
  });

  it('down removes everything', async () => {
    ok(stack(env, ['-f', file, 'down', '-t', '0']), 'down');
    await noNewObjects(hostBefore);
  });
});
