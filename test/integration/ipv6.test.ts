// IPv6 on a bridge network, proved from inside the containers of one stack on the real
// kernel: both addresses and default routes, the gateway on the bridge, ping and HTTP over
// IPv6 between containers by service name (AAAA answers), egress through NAT66 to an
// "outside" namespace the test makes, a port published without host_ip reached over IPv6
// from there, and net.ipv6.conf.all.forwarding put back as it was found once the stack is down.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ip6ForwardPlaces } from '../../executor/host/linux/ip-forward.js';
import {
  freePort,
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { makeOutsideHost6, type OutsideHost6 } from '../support/outside-host6.js';
import { inside, ps, type PsRow } from '../support/stack-containers.js';
import { runTool } from '../support/run-tool.js';

const SUBNET6 = 'fd00:5eed:6::/64';
let env: StackEnv;
let outside: OutsideHost6 | undefined;
let project = '';
let file = '';
let port = 0;
let rows: PsRow[] = [];
const forwarding = ip6ForwardPlaces();
let forwardBefore = '';
const sysctl = () => fs.readFileSync(forwarding.sysctl, 'utf8').trim();
const pidOf = (service: string) => rows.find((r) => r.service === service)!.pid;

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  env.env.STACK_DNS_UPSTREAM = '';
  outside = await makeOutsideHost6();
  project = uniqueProject('tipv6');
  port = await freePort();
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    command: httpd -f -p 80 -h /www
    stop_grace_period: 0s
    ports: ["${port}:80"]
    networks:
      front: {ipv6_address: "fd00:5eed:6::80"}
  client:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    networks: [front]
networks:
  front:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.98.60.0/24
        - subnet: ${SUBNET6}
`,
  );
  forwardBefore = sysctl();
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  rows = ps(env, file);
});

afterAll(() => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  outside?.dispose();
  env?.dispose();
});

describe('an IPv6 network', () => {
  it('gives each container its IPv6 address and a default route through the gateway on the bridge', () => {
    const client = pidOf('client');
    expect(inside(client, ['ip', '-o', '-6', 'addr', 'show', 'eth0']).stdout).toContain('inet6 fd00:5eed:6::2/64');
    expect(inside(pidOf('web'), ['ip', '-o', '-6', 'addr', 'show', 'eth0']).stdout).toContain(
      'inet6 fd00:5eed:6::80/64',
    );
    expect(inside(client, ['ip', '-6', 'route']).stdout).toMatch(/^default via fd00:5eed:6::1 dev eth0/m);
    expect(inside(client, ['ip', '-o', '-4', 'addr', 'show', 'eth0']).stdout).toContain('inet 10.98.60.');
  });

  it('reaches another container over IPv6 by its service name (AAAA), by ping and HTTP', () => {
    const client = pidOf('client');
    const ping = inside(client, ['ping', '-6', '-c', '1', '-W', '5', 'web']);
    expect(ping.code, ping.stdout).toBe(0);
    expect(ping.stdout).toContain('fd00:5eed:6::80');
    const get = inside(client, ['wget', '-qO-', 'http://[fd00:5eed:6::80]/']);
    expect(get.code, get.stdout).toBe(0);
    expect(get.stdout).toContain('hello from stack');
  });

  it('leaves through NAT66: the outside sees the host address on its link, never the container one', () => {
    const r = inside(pidOf('client'), ['wget', '-qO-', `http://[${outside!.ip}]:${outside!.httpPort}/`]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout.trim()).toBe(`you are ${outside!.hostIp}`);
  });

  it('publishes a port without host_ip on IPv6 too: the outside reaches it at the host address', () => {
    const r = outside!.run(['busybox', 'wget', '-qO-', `http://[${outside!.hostIp}]:${port}/`]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('hello from stack');
  });

  it('keeps IPv6 forwarding on while it runs, recorded so that down puts it back', async () => {
    expect(sysctl()).toBe('1');
    expect(fs.readdirSync(forwarding.dir).some((f) => f.startsWith('user-'))).toBe(true);
    expect(await runTool('nft', ['list', 'tables'])).toMatch(new RegExp(`^table ip6 stk_${project}_`, 'm'));
  });
});

describe('drift', () => {
  it('a flushed ip6 table is drift, and up puts its rules back', async () => {
    const table = (await runTool('nft', ['list', 'tables']))
      .split('\n')
      .find((l) => l.startsWith(`table ip6 stk_${project}_`))!
      .split(' ')[2]!;
    await runTool('nft', ['flush', 'table', 'ip6', table]);
    const plan = stack(env, ['-f', file, 'plan']);
    expect(plan.stdout).toMatch(/nat\.apply[\s\S]*drift: nftables table/);
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    expect(await runTool('nft', ['list', 'table', 'ip6', table])).toContain(`ip6 saddr ${SUBNET6} oifname !=`);
  });
});

describe('bridge drift', () => {
  it('a bridge that lost its IPv6 gateway is drift, and up gives it back', async () => {
    const line = await runTool('ip', ['-o', '-6', 'addr', 'show', 'to', 'fd00:5eed:6::1/128']);
    const bridge = line.split(/\s+/)[1]!;
    expect(bridge).toMatch(/^stkb/);
    await runTool('ip', ['-6', 'addr', 'del', 'fd00:5eed:6::1/64', 'dev', bridge]);
    expect(stack(env, ['-f', file, 'plan']).stdout).toContain(`drift: bridge ${bridge}`);
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    expect(await runTool('ip', ['-o', '-6', 'addr', 'show', 'dev', bridge])).toContain('fd00:5eed:6::1/64');
    rows = ps(env, file);
    const ping = inside(pidOf('client'), ['ping', '-6', '-c', '1', '-W', '5', 'web']);
    expect(ping.code, ping.stdout).toBe(0);
  });
});

describe('down', () => {
  it('removes the ip6 table and puts IPv6 forwarding back as it was', async () => {
    const down = stack(env, ['-f', file, 'down', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    file = '';
    expect(await runTool('nft', ['list', 'tables'])).not.toContain(`stk_${project}_`);
    const others = fs.existsSync(forwarding.dir) && fs.readdirSync(forwarding.dir).some((f) => f.startsWith('user-'));
    if (!others) expect(sysctl()).toBe(forwardBefore);
  });
});
