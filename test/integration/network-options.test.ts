// The network options of a service and a network, proved on the real kernel from inside
// the containers of one stack: ipam subnet, gateway and ip_range, a static ipv4_address,
// interface_name, gw_priority, dns, dns_search, extra_hosts and the container's own name,
// network_mode host; the net.ipv4.ip_forward bookkeeping across up and down; the project's
// name on every rule of the stack's nftables table. Then the two address mistakes the CLI
// refuses before it touches the host.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contains, parseCidr } from '../../model/ipam.js';
import { ipForwardPlaces } from '../../executor/host/linux/ip-forward.js';
import {
  importTestImage,
  makeStackEnv,
  sleeperService as sleeper,
  stack,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { makeOutsideHost, type OutsideHost } from '../support/outside-host.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { bridgeName, natTableName } from '../../model/names.js';
import { runTool } from '../support/run-tool.js';
import { inside, lookup, ps, type PsRow } from '../support/stack-containers.js';

// Subnets of the test's own; if the host already routed one, up would fail with a clear
// overlap error rather than share it. The gateway is not the subnet's first address, so a
// default route through it can only come from the file.
const FRONT = { subnet: '10.98.50.0/24', gateway: '10.98.50.254', ipRange: '10.98.50.128/26', pinned: '10.98.50.10' };
const BACK = { subnet: '10.98.51.0/24' };
// A hosts-file entry only (TEST-NET-3): nothing is ever sent to it.
const LISTED_HOST = '203.0.113.7';

let env: StackEnv;
let outside: OutsideHost | undefined;
let project: string;
let file = '';
let rows: PsRow[] = [];
/** The stack's nftables table, `stk_<project>_<hash>`. */
let table: string;
const before = snapshotHostObjects();
const forwarding = ipForwardPlaces();
let forwardBefore: string;
let othersHolding: string[];

const pidOf = (service: string) => rows.find((r) => r.service === service)!.pid;
const sysctl = () => fs.readFileSync(forwarding.sysctl, 'utf8').trim();
/** Who holds ip_forward on now: one `user-…` file per stack table, of any STACK_ROOT on the host. */
const holders = () =>
  fs.existsSync(forwarding.dir) ? fs.readdirSync(forwarding.dir).filter((f) => f.startsWith('user-')) : [];
const original = () => fs.readFileSync(path.join(forwarding.dir, 'original'), 'utf8').trim();
/** `/etc/hosts` of a container as name → address. */
function hostsOf(pid: number): Map<string, string> {
  const names = new Map<string, string>();
  for (const line of inside(pid, ['cat', '/etc/hosts']).stdout.split('\n')) {
    const [ip, ...aliases] = line.split(/\s+/).filter(Boolean);
    for (const name of aliases) names.set(name, ip!);
  }
  return names;
}

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  // `dns:` servers are the stack resolver's upstreams for that container: the fake one in a
  // namespace of the test. Every other container gets no upstream at all, so no name of
  // this test can ever reach the host's resolver.
  outside = await makeOutsideHost();
  env.env.STACK_DNS_UPSTREAM = '';
  project = uniqueProject('tnopt');
  file = path.join(env.root, 'stack.yaml');
  // pinned: `back` sorts first in attach order and would carry the default route, were it
  // not for gw_priority on `front`; its static address lies outside ip_range on purpose
  // (ip_range limits dynamic addresses only). ranged publishes a port so the table has DNAT
  // rules too.
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  ranged:
${sleeper(`    networks: [front]
    dns: [${outside.ip}]
    dns_search: [corp.stack.test, lab.stack.test]
    extra_hosts: ["gw.stack.test:host-gateway", "db.stack.test=${LISTED_HOST}"]
    ports: ["127.0.0.1::8080"]
`)}
  pinned:
${sleeper(`    networks:
      back:
        interface_name: data
      front:
        ipv4_address: ${FRONT.pinned}
        interface_name: uplink
        gw_priority: 5
`)}
  hostnet:
${sleeper('    network_mode: host\n')}
networks:
  back:
    ipam:
      config: [{ subnet: ${BACK.subnet} }]
  front:
    ipam:
      config:
        - { subnet: ${FRONT.subnet}, gateway: ${FRONT.gateway}, ip_range: ${FRONT.ipRange} }
`,
  );
  forwardBefore = sysctl();
  othersHolding = holders();
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  rows = ps(env, file);
  table = (await runTool('nft', ['list', 'tables']))
    .split('\n')
    .find((l) => l.startsWith(`table ip stk_${project}_`))!
    .split(' ')[2]!;
});

afterAll(() => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  outside?.dispose();
  env?.dispose();
});

describe('network options of one stack', () => {
  it('gives a dynamic address from ip_range, routes through the ipam gateway, and gives ipv4_address as asked', () => {
    const ranged = rows.find((r) => r.service === 'ranged')!;
    const ip = ranged.addresses[0]!.ip;
    expect(contains(parseCidr(FRONT.ipRange), ip)).toBe(true);
    expect(inside(ranged.pid, ['ip', '-o', '-4', 'addr', 'show', 'eth0']).stdout).toContain(`inet ${ip}/24 `);
    expect(inside(ranged.pid, ['ip', 'route']).stdout).toMatch(
      new RegExp(`^default via ${FRONT.gateway} dev eth0 `, 'm'),
    );
    expect(inside(pidOf('pinned'), ['ip', '-o', '-4', 'addr', 'show', 'uplink']).stdout).toContain(
      `inet ${FRONT.pinned}/24 `,
    );
  });

  it('names interfaces by interface_name, and routes by default through the network with the higher gw_priority', () => {
    const addrs = inside(pidOf('pinned'), ['ip', '-o', '-4', 'addr']).stdout;
    expect(
      [...addrs.matchAll(/^\d+: (\S+)\s+inet (\S+)\//gm)].map((m) => [
        m[1],
        contains(parseCidr(m[1] === 'uplink' ? FRONT.subnet : BACK.subnet), m[2]!),
      ]),
    ).toEqual([
      ['lo', false],
      ['data', true],
      ['uplink', true],
    ]);
    const defaults = inside(pidOf('pinned'), ['ip', 'route'])
      .stdout.split('\n')
      .filter((l) => l.startsWith('default'));
    expect(defaults).toEqual([`default via ${FRONT.gateway} dev uplink `]);
  });

  it('writes dns_search and the dns servers into resolv.conf, and resolves unknown names through those servers only', () => {
    const ranged = pidOf('ranged');
    // As docker does on user-defined networks: the stack's resolver first, `dns:` behind it.
    expect(inside(ranged, ['cat', '/etc/resolv.conf']).stdout.split('\n')).toEqual([
      `# upstream servers: ${outside!.ip}`,
      'nameserver 127.0.0.11',
      'search corp.stack.test lab.stack.test',
      '',
    ]);
    expect(lookup(ranged, outside!.dnsName)).toEqual([outside!.ip]);
    // pinned has no `dns:`, and the stack no default upstream: the same name stays unknown.
    expect(lookup(pidOf('pinned'), outside!.dnsName)).toEqual([]);
  });

  it("writes extra_hosts (host-gateway as the network gateway) and the container's own names into /etc/hosts", () => {
    const ranged = rows.find((r) => r.service === 'ranged')!;
    const hosts = hostsOf(ranged.pid);
    const own = inside(ranged.pid, ['hostname']).stdout.trim();
    expect(own).toBe('ranged');
    expect([own, ranged.name, 'gw.stack.test', 'db.stack.test'].map((n) => hosts.get(n))).toEqual([
      ranged.addresses[0]!.ip,
      ranged.addresses[0]!.ip,
      FRONT.gateway,
      LISTED_HOST,
    ]);
  });

  it("network_mode host shares the host's network namespace; a networked service has its own", () => {
    const hostNs = fs.readlinkSync('/proc/self/ns/net');
    expect(inside(pidOf('hostnet'), ['readlink', '/proc/self/ns/net']).stdout.trim()).toBe(hostNs);
    expect(inside(pidOf('ranged'), ['readlink', '/proc/self/ns/net']).stdout.trim()).not.toBe(hostNs);
  });

  it("labels every rule of the stack's nftables table with the project and the service or network it serves, DNAT rules included", async () => {
    const json = JSON.parse(await runTool('nft', ['-j', 'list', 'table', 'ip', table])) as {
      nftables: { rule?: { chain: string; comment?: string } }[];
    };
    const rules = json.nftables.flatMap((o) => (o.rule ? [o.rule] : []));
    expect(new Set(rules.map((r) => r.chain))).toEqual(
      new Set(['loopback', 'ports', 'prerouting', 'output', 'postrouting', 'forward', 'input']),
    );
    // `project/service` for a published port's rules, `project/network` for a network's.
    const owners = new Set([
      'ranged',
      'pinned',
      'hostnet',
      'back',
      'front',
      'published ports',
      'loopback addresses only through lo',
    ]);
    expect(
      rules.filter((r) => !(r.comment?.startsWith(`${project}/`) && owners.has(r.comment.slice(project.length + 1)))),
    ).toEqual([]);
    expect(rules.some((r) => r.comment === `${project}/ranged`)).toBe(true);
  });

  it('holds net.ipv4.ip_forward on while up, having recorded the value it found', () => {
    expect(sysctl()).toBe('1');
    expect(holders().filter((h) => h.endsWith(`-${table}`))).toHaveLength(1);
    // The first holder's reading is what the last one out puts back.
    if (othersHolding.length === 0) expect(original()).toBe(forwardBefore);
  });

  it('down removes every trace and, as the last holder, gives ip_forward back as it found it', () => {
    const found = original();
    const down = stack(env, ['-f', file, 'down', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    file = '';
    // Set back only when stack had turned it on; left on when it was on already.
    if (holders().length === 0) {
      expect(sysctl()).toBe(found);
      expect(fs.existsSync(path.join(forwarding.dir, 'original'))).toBe(false);
    } else {
      expect(sysctl()).toBe('1'); // other stacks of the host still need it
    }
    outside!.dispose();
    outside = undefined;
    expect(newObjects(before, snapshotHostObjects())).toEqual({});
  });
});

describe('address mistakes the CLI refuses', () => {
  /** `up` of a file with `services` and `networks` blocks: its result, having checked it created nothing. */
  function refusedUp(name: string, body: string) {
    const bad = path.join(env.root, `${name}.yaml`);
    fs.writeFileSync(bad, `name: ${project}${name}\n${body}`);
    const seen = snapshotHostObjects();
    const r = stack(env, ['-f', bad, 'up', '-d']);
    // Only this refused stack's objects: other test files run beside this one.
    const refused = `${project}${name}`;
    const bridges = ['default', 'front', 'back'].map((key) => bridgeName(refused, key));
    expect(
      objectsNaming(newObjects(seen, snapshotHostObjects()), [refused, natTableName(refused), ...bridges]),
    ).toEqual({});
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', `${project}${name}`))).toBe(false);
    return r;
  }

  it('an ipv4_address outside the network subnet is exit 1 at its position, and nothing is created', () => {
    const r = refusedUp(
      'outside',
      `services:
  pinned:
${sleeper(`    networks:
      front:
        ipv4_address: 10.98.60.10
`)}networks:
  front:
    ipam:
      config: [{ subnet: ${FRONT.subnet} }]
`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `outside.yaml:9:23: ipv4_address 10.98.60.10 of service "pinned" is outside subnet ${FRONT.subnet} of network "front"`,
    );
  });

  it('ports with network_mode host is exit 1 at the position of ports, and nothing is created', () => {
    const r = refusedUp(
      'hostports',
      `services:
  hostnet:
${sleeper('    network_mode: host\n    ports: ["8080:80"]\n')}`,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'hostports.yaml:8:12: service "hostnet" publishes ports but uses network_mode host, where its ports are the host\'s own; remove "ports"',
    );
  });
});
