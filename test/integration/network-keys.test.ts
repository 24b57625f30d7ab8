// The network keys stack implements beyond addresses, proved on the real kernel from inside
// a container on two networks: `priority` orders the interfaces (eth0 is the highest),
// `gw_priority` picks the network of the default route, link_local_ips are addresses of
// the interface, the bridge driver's MTU reaches the bridge and both veth ends, the bridge
// has the host name the file gives it (gone after down), and two networks so named stay
// isolated from each other; aux_addresses are never handed out, and the network's labels
// are in its record. No traffic leaves the containers' namespaces and the stack's bridges.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService as sleeper,
  webService,
  stack,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { inside, ps, type PsRow } from '../support/stack-containers.js';

// Subnets of the test's own; the first free address of ALPHA would be .2, were it not
// reserved by aux_addresses.
const ALPHA = { subnet: '10.98.60.0/24', gateway: '10.98.60.1', reserved: '10.98.60.2', first: '10.98.60.3' };
const BETA = { subnet: '10.98.61.0/24', gateway: '10.98.61.1' };
const LINK_LOCAL = '169.254.7.7';
const MTU = 1400;

let env: StackEnv;
let file = '';
let row: PsRow;
/** The bridge names the file chooses: stkb…, unique to this run, at most 15 bytes. */
const run = Math.random().toString(36).slice(2, 8);
const bridge = `stkbnk${run}b`;
const alphaBridge = `stkbnk${run}a`;
const project = uniqueProject('tnkeys');

const wget = (pid: number, url: string) => inside(pid, ['timeout', '3', 'wget', '-q', '-O-', url]);
const pidOf = (service: string) => ps(env, file).find((r) => r.service === service)!.pid;
/** The network's record in the stack's state. */
const recordOf = (key: string) =>
  JSON.parse(
    fs.readFileSync(path.join(env.env.STACK_ROOT!, 'stacks', project, 'state', 'networks', `${key}.json`), 'utf8'),
  ) as { bridge: string; labels?: Record<string, string> };
const mtuOf = (pid: number, ifname: string) => inside(pid, ['cat', `/sys/class/net/${ifname}/mtu`]).stdout.trim();

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  file = path.join(env.root, 'stack.yaml');
  // beta sorts after alpha and has no gw_priority: only `priority` makes it eth0, and only
  // alpha's gw_priority takes the default route from the first interface.
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  two:
${sleeper(`    networks:
      alpha:
        gw_priority: 5
      beta:
        priority: 10
        link_local_ips: [${LINK_LOCAL}]
`)}
  peer:
${sleeper('    networks: [beta]\n')}
${webService([], '    networks: [alpha]\n')}networks:
  alpha:
    driver_opts: { com.docker.network.bridge.name: ${alphaBridge} }
    ipam:
      config:
        - subnet: ${ALPHA.subnet}
          aux_addresses: { router: ${ALPHA.reserved} }
  beta:
    labels: { com.example.tier: back }
    driver_opts:
      com.docker.network.driver.mtu: "${MTU}"
      com.docker.network.bridge.name: ${bridge}
    ipam:
      config: [{ subnet: ${BETA.subnet} }]
`,
  );
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  row = ps(env, file).find((r) => r.service === 'two')!;
});

afterAll(() => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  env?.dispose();
});

describe('network keys, from inside a container on two networks', () => {
  it('priority makes eth0 the highest-priority network; link_local_ips are addresses of its interface', () => {
    const eth0 = inside(row.pid, ['ip', '-o', '-4', 'addr', 'show', 'eth0']).stdout;
    expect(eth0).toMatch(/inet 10\.98\.61\.\d+\/24 /);
    expect(eth0).toContain(`inet ${LINK_LOCAL}/16 `);
    expect(inside(row.pid, ['ip', '-o', '-4', 'addr', 'show', 'eth1']).stdout).toMatch(/inet 10\.98\.60\.\d+\/24 /);
  });

  it('gw_priority puts the default route on its network', () => {
    const defaults = inside(row.pid, ['ip', 'route'])
      .stdout.split('\n')
      .filter((l) => l.startsWith('default'));
    expect(defaults).toEqual([`default via ${ALPHA.gateway} dev eth1 `]);
  });

  it('the MTU of the bridge driver reaches the container end, the host end and the bridge; the other network keeps 1500', () => {
    expect(mtuOf(row.pid, 'eth0')).toBe(String(MTU));
    expect(mtuOf(row.pid, 'eth1')).toBe('1500');
    expect(fs.readFileSync(`/sys/class/net/${bridge}/mtu`, 'utf8').trim()).toBe(String(MTU));
    // The host ends of `two` and `peer`.
    const ports = fs.readdirSync(`/sys/class/net/${bridge}/brif`);
    expect(ports.map((p) => fs.readFileSync(`/sys/class/net/${p}/mtu`, 'utf8').trim())).toEqual([
      String(MTU),
      String(MTU),
    ]);
  });

  it('aux_addresses are never handed out', () => {
    const addresses = ps(env, file).flatMap((r) => r.addresses.map((a) => a.ip));
    expect(addresses).not.toContain(ALPHA.reserved);
    expect(addresses).toContain(ALPHA.first);
  });

  it('networks with chosen bridge names stay isolated from each other', () => {
    const web = ps(env, file).find((r) => r.service === 'web')!;
    const url = `http://${web.addresses[0]!.ip}/`;
    expect(wget(row.pid, url).stdout).toContain('hello from stack');
    expect(wget(pidOf('peer'), url).code).not.toBe(0);
  });

  it("the network's labels are in its record", () => {
    expect(recordOf('beta')).toMatchObject({ bridge, labels: { 'com.example.tier': 'back' } });
  });

  it('a label edit rewrites the record and leaves the bridge and the containers as they are', () => {
    const before = ps(env, file).map((r) => [r.name, r.pid]);
    const bridgeIndex = fs.readFileSync(`/sys/class/net/${bridge}/ifindex`, 'utf8');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('com.example.tier: back', 'com.example.tier: edge'));
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    expect(recordOf('beta').labels).toEqual({ 'com.example.tier': 'edge' });
    expect(ps(env, file).map((r) => [r.name, r.pid])).toEqual(before);
    expect(fs.readFileSync(`/sys/class/net/${bridge}/ifindex`, 'utf8')).toBe(bridgeIndex);
  });

  it('down removes the bridge of the chosen name', () => {
    const down = stack(env, ['-f', file, 'down', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    file = '';
    expect([bridge, alphaBridge].filter((b) => fs.existsSync(`/sys/class/net/${b}`))).toEqual([]);
  });
});
