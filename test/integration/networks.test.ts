// Networking end to end on the real kernel: a three-network stack (web on frontend, api on
// frontend + backend, db on the internal backend), names through the stack's DNS server
// (replicas round robin, aliases, unknown names to a fake upstream), isolation between
// networks and between stacks, egress with masquerade to a namespace playing the outside
// host, published ports from 127.0.0.1, from that namespace and back into the stack
// (hairpin), network_mode none and service:X, and external networks (the owner scaling up
// around a joiner's address; a stack only on an external network still publishes ports).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  importTestImage,
  makeStackEnv,
  sleeperService as sleeper,
  stack,
  TEST_IMAGE,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { makeOutsideHost, type OutsideHost } from '../support/outside-host.js';
import { newObjects, snapshotHostObjects } from '../support/host-objects.js';
import { inside, lookup, ps as psOf, type PsRow as Row } from '../support/stack-containers.js';
import { supervisorPids, waitFor } from '../support/processes.js';

let env: StackEnv;
let outside: OutsideHost;
let project: string;
let other: string;
let file: string;
let otherFile: string;
let localPort: number;
let anyPort: number;
const before = snapshotHostObjects();
let rows: Row[] = [];

const httpd = (extra: string) =>
  `    image: ${TEST_IMAGE}\n    command: httpd -f -p 80 -h /www\n    stop_grace_period: 0s\n${extra}`;

const ps = (f: string): Row[] => psOf(env, f);
const row = (name: string, list = rows) => list.find((r) => r.name === name)!;
const ipOn = (name: string, network: string, list = rows) =>
  row(name, list).addresses.find((a) => a.network === network)!.ip;

// busybox wget's own -T crashes (static build); busybox timeout bounds it instead.
const macOf = (link: string) => fs.readFileSync(`/sys/class/net/${link}/address`, 'utf8').trim();
const wget = (pid: number, url: string) => inside(pid, ['timeout', '3', 'wget', '-q', '-O-', url]);

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  outside = await makeOutsideHost();
  // Names the stack does not know go to the fake upstream in the outside namespace.
  env.env.STACK_DNS_UPSTREAM = outside.ip;
  project = uniqueProject('tnet');
  other = uniqueProject('tnetb');
  localPort = await freePort();
  anyPort = await freePort();
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  web:
${httpd(`    networks: [frontend]\n    ports: ["127.0.0.1:${localPort}:80", "${anyPort}:80"]\n`)}
  api:
${httpd('    networks:\n      frontend: {}\n      backend:\n        aliases: [service-api]\n')}
  db:
${httpd('    networks: [backend]\n')}
  echo:
${httpd('    networks: [frontend]\n    ports: ["80"]\n')}
  worker:
${sleeper('    networks: [frontend]\n    deploy: { replicas: 2 }\n')}
  sidecar:
${sleeper('    network_mode: service:api\n')}
  loner:
${sleeper('    network_mode: none\n')}
networks:
  frontend: {}
  backend:
    internal: true
`,
  );
  otherFile = path.join(env.root, 'other.yaml');
  fs.writeFileSync(
    otherFile,
    `name: ${other}
services:
  joiner:
${sleeper('    networks: [shared]\n')}
  stranger:
${sleeper('')}
networks:
  shared:
    external: true
    name: ${project}_frontend
`,
  );
});

afterAll(() => {
  if (otherFile) stack(env, ['-f', otherFile, 'down', '-t', '0']);
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  outside?.dispose();
  env?.dispose();
});

describe('three networks', () => {
  it('comes up with one interface per network and the default route on frontend', () => {
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.stderr).not.toMatch(/✖/);
    expect(up.code).toBe(0);
    rows = ps(file);
    expect(rows.map((r) => r.state)).toEqual(rows.map(() => 'running'));
    const api = row(`${project}-api-1`);
    expect(api.addresses.map((a) => a.network).sort()).toEqual(['backend', 'frontend']);
    const links = inside(api.pid, ['ip', '-o', '-4', 'addr']).stdout;
    expect(links).toMatch(new RegExp(`eth0\\s+inet ${ipOn(api.name, 'backend')}/`));
    expect(links).toMatch(new RegExp(`eth1\\s+inet ${ipOn(api.name, 'frontend')}/`));
    expect(inside(api.pid, ['ip', 'route']).stdout).toMatch(/^default via \S+ dev eth1/m);
    // db is on the internal network only: no default route at all.
    expect(inside(row(`${project}-db-1`).pid, ['ip', 'route']).stdout).not.toMatch(/default/);
  });

  it('web reaches api, api reaches db (by name, through the DNS server), web cannot reach db', () => {
    const web = row(`${project}-web-1`).pid;
    const api = row(`${project}-api-1`).pid;
    expect(wget(web, 'http://api/').stdout).toContain('hello from stack');
    expect(wget(api, 'http://db/').stdout).toContain('hello from stack');
    expect(wget(api, 'http://service-api/').stdout).toContain('hello from stack'); // its own alias on backend
    // docker's fixed resolver address, led to the stack's DNS server on the gateway.
    expect(inside(api, ['cat', '/etc/resolv.conf']).stdout).toMatch(/^nameserver 127\.0\.0\.11$/m);
    // db is not on a network web shares: no name, and its address is not routed to.
    expect(lookup(web, 'db')).toEqual([]);
    expect(wget(web, `http://${ipOn(`${project}-db-1`, 'backend')}/`).code).not.toBe(0);
    expect(wget(row(`${project}-db-1`).pid, `http://${ipOn(`${project}-web-1`, 'frontend')}/`).code).not.toBe(0);
  });

  it('a container recreated stop-then-start keeps its address and its MAC: a peer that knew it reaches the new one at once', () => {
    // api is stopped before its replacement starts (sidecar shares its network namespace).
    const web = row(`${project}-web-1`).pid;
    const apiIp = ipOn(`${project}-api-1`, 'frontend');
    expect(wget(web, `http://${apiIp}/`).stdout).toContain('hello from stack'); // web's neighbour cache now holds api
    const up = stack(env, ['-f', file, 'up', '-d', '--force-recreate', 'api']);
    expect(up.code, up.stderr).toBe(0);
    rows = ps(file);
    expect(ipOn(`${project}-api-1`, 'frontend')).toBe(apiIp);
    // With a new random MAC, web would send to the old one until its entry went stale (~30 s).
    expect(wget(web, `http://${apiIp}/`).stdout).toContain('hello from stack');
  });

  it('answers every replica of a service, rotating, and <service>-<n> for one', () => {
    const web = row(`${project}-web-1`).pid;
    const replicas = [ipOn(`${project}-worker-1`, 'frontend'), ipOn(`${project}-worker-2`, 'frontend')];
    const first = lookup(web, 'worker');
    expect([...first].sort()).toEqual([...replicas].sort());
    const orders = new Set([first.join(), lookup(web, 'worker').join(), lookup(web, 'worker').join()]);
    expect(orders.size).toBe(2);
    expect(lookup(web, 'worker-2')).toEqual([replicas[1]]);
    expect(lookup(web, `${project}-worker-1`)).toEqual([replicas[0]]);
  });

  it('names follow replicas as they come and go, with no restart of anyone', () => {
    const web = row(`${project}-web-1`).pid;
    const up = stack(env, ['-f', file, 'up', '-d', '--scale', 'worker=3']);
    expect(up.code, up.stderr).toBe(0);
    const scaled = ps(file);
    expect(row(`${project}-web-1`, scaled).pid).toBe(web);
    expect(row(`${project}-worker-1`, scaled).pid).toBe(row(`${project}-worker-1`).pid);
    const three = [1, 2, 3].map((n) => ipOn(`${project}-worker-${n}`, 'frontend', scaled));
    expect(lookup(web, 'worker').sort()).toEqual([...three].sort());
    expect(lookup(web, 'worker-3')).toEqual([three[2]]);
    const back = stack(env, ['-f', file, 'up', '-d']);
    expect(back.code, back.stderr).toBe(0);
    expect(lookup(web, 'worker').sort()).toEqual(three.slice(0, 2).sort());
    expect(lookup(web, 'worker-3')).toEqual([]);
    expect(
      ps(file)
        .map((r) => [r.name, r.pid])
        .sort(),
    ).toEqual(rows.map((r) => [r.name, r.pid]).sort());
  });

  it('forwards names it does not know to the upstream, and egress leaves with the host address', () => {
    const web = row(`${project}-web-1`).pid;
    expect(lookup(web, outside.dnsName)).toEqual([outside.ip]);
    expect(wget(web, `http://${outside.dnsName}:${outside.httpPort}/`).stdout).toBe(`you are ${outside.hostIp}\n`);
    // The internal network has no way out.
    expect(wget(row(`${project}-db-1`).pid, `http://${outside.ip}:${outside.httpPort}/`).code).not.toBe(0);
  });

  it('publishes ports on 127.0.0.1, to another namespace, and back into the stack (hairpin)', async () => {
    expect(await httpGet(`http://127.0.0.1:${localPort}/`)).toContain('hello from stack');
    expect(
      outside.run(['timeout', '3', 'busybox', 'wget', '-q', '-O-', `http://${outside.hostIp}:${anyPort}/`]).stdout,
    ).toContain('hello from stack');
    // From the host itself to one of its own addresses (not loopback).
    expect(await httpGet(`http://${outside.hostIp}:${anyPort}/`)).toContain('hello from stack');
    // 127.0.0.1-only port: not reachable from the outside namespace.
    expect(
      outside.run(['timeout', '3', 'busybox', 'wget', '-q', '-O-', `http://${outside.hostIp}:${localPort}/`]).code,
    ).not.toBe(0);
    const web = row(`${project}-web-1`);
    const gateway = inside(web.pid, ['ip', 'route']).stdout.match(/default via (\S+)/)![1]!;
    expect(wget(web.pid, `http://${gateway}:${anyPort}/`).stdout).toContain('hello from stack');
    expect(web.ports).toContain(`0.0.0.0:${anyPort}->80/tcp`);
  });

  it('a port without a host port gets a free one; stack port and ps report it', async () => {
    const r = stack(env, ['-f', file, 'port', 'echo', '80']);
    expect(r.code, r.stderr).toBe(0);
    const published = /^0\.0\.0\.0:(\d+)$/.exec(r.stdout.trim())![1]!;
    expect(await httpGet(`http://127.0.0.1:${published}/`)).toContain('hello from stack');
    expect(row(`${project}-echo-1`).ports).toEqual([`0.0.0.0:${published}->80/tcp`]);
    const missing = stack(env, ['-f', file, 'port', 'echo', '81']);
    expect([missing.code, missing.stderr.trim()]).toEqual([
      1,
      `stack: port 81/tcp of ${project}-echo-1 is not published; add it to \`ports:\` of service echo`,
    ]);
  });

  it("network_mode: service:api shares api's interfaces; none has only lo", () => {
    const sidecar = row(`${project}-sidecar-1`);
    expect(sidecar.addresses).toEqual([]);
    expect(inside(sidecar.pid, ['ip', '-o', '-4', 'addr']).stdout).toContain(ipOn(`${project}-api-1`, 'frontend'));
    expect(fs.readlinkSync(`/proc/${sidecar.pid}/ns/net`)).toBe(
      fs.readlinkSync(`/proc/${row(`${project}-api-1`).pid}/ns/net`),
    );
    const links = inside(row(`${project}-loner-1`).pid, ['ip', '-o', 'link'])
      .stdout.trim()
      .split('\n');
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(/^1: lo: <LOOPBACK,UP/);
  });
});

describe('two stacks', () => {
  it('a missing external network is a clear error before anything starts', () => {
    const missing = path.join(env.root, 'missing.yaml');
    fs.writeFileSync(
      missing,
      `name: ${other}x\nservices:\n  a:\n${sleeper('    networks: [gone]\n')}networks:\n  gone:\n    external: true\n    name: nosuchnet\n`,
    );
    const r = stack(env, ['-f', missing, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('external network nosuchnet does not exist; start the stack that creates it first');
    stack(env, ['-f', missing, 'down']);
  });

  it('joins an external network and resolves its names; its own network cannot reach the first stack', () => {
    const up = stack(env, ['-f', otherFile, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const mine = ps(otherFile);
    const joiner = row(`${other}-joiner-1`, mine);
    const stranger = row(`${other}-stranger-1`, mine);
    expect(wget(joiner.pid, 'http://web/').stdout).toContain('hello from stack');
    const webIp = ipOn(`${project}-web-1`, 'frontend');
    expect(wget(stranger.pid, `http://${webIp}/`).code).not.toBe(0);
    // …and the other way round: web cannot reach the second stack's own network.
    expect(
      inside(row(`${project}-web-1`).pid, ['ping', '-c', '1', '-W', '1', ipOn(stranger.name, 'default', mine)]).code,
    ).not.toBe(0);
  });

  it('a stack only on an external network publishes its ports (on 127.0.0.1 and to another namespace)', async () => {
    const guest = uniqueProject('tnetg');
    const guestFile = path.join(env.root, 'guest.yaml');
    const [local, any] = [await freePort(), await freePort()];
    fs.writeFileSync(
      guestFile,
      `name: ${guest}
services:
  site:
${httpd(`    networks: [shared]\n    ports: ["127.0.0.1:${local}:80", "${any}:80"]\n`)}
networks:
  shared:
    external: true
    name: ${project}_frontend
`,
    );
    try {
      const up = stack(env, ['-f', guestFile, 'up', '-d']);
      expect(up.code, up.stderr).toBe(0);
      expect(await httpGet(`http://127.0.0.1:${local}/`)).toContain('hello from stack');
      expect(
        outside.run(['timeout', '3', 'busybox', 'wget', '-q', '-O-', `http://${outside.hostIp}:${any}/`]).stdout,
      ).toContain('hello from stack');
      expect(row(`${guest}-site-1`, ps(guestFile)).ports.sort()).toEqual([
        `0.0.0.0:${any}->80/tcp`,
        `127.0.0.1:${local}->80/tcp`,
      ]);
    } finally {
      const down = stack(env, ['-f', guestFile, 'down', '-t', '0']);
      expect(down.code, down.stderr).toBe(0);
    }
  });

  it("the owner scaling up after a joiner arrived never hands out the joiner's address", () => {
    const joiner = row(`${other}-joiner-1`, ps(otherFile));
    const joinerIp = ipOn(joiner.name, 'shared', ps(otherFile));
    const up = stack(env, ['-f', file, 'up', '-d', '--scale', 'worker=3']);
    expect(up.code, up.stderr).toBe(0);
    const ips = ps(file).flatMap((r) => r.addresses.filter((a) => a.network === 'frontend').map((a) => a.ip));
    expect(ips).not.toContain(joinerIp);
    expect(new Set(ips).size).toBe(ips.length);
    expect(
      inside(joiner.pid, ['ping', '-c', '1', '-W', '1', ipOn(`${project}-worker-3`, 'frontend', ps(file))]).code,
    ).toBe(0);
    const back = stack(env, ['-f', file, 'up', '-d']);
    expect(back.code, back.stderr).toBe(0);
  });

  it("the owner's down keeps a network another stack still joins, working (as docker does), and a later down removes it", () => {
    const record = JSON.parse(
      fs.readFileSync(
        path.join(env.env.STACK_ROOT!, 'stacks', other, 'state', 'containers', `${other}-joiner-1.json`),
        'utf8',
      ),
    ) as { spec: { endpoints: { network: string; hostVeth: string; bridge: string }[] } };
    const shared = record.spec.endpoints.find((e) => e.network === 'shared')!;
    const mac = macOf(shared.bridge);
    const first = stack(env, ['-f', file, 'down', '-t', '0']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(
      `note: network ${project}_frontend stays: ${other}-joiner-1 of other stacks still use it (external: true)`,
    );
    // The bridge is still there, the joiner's veth still on it.
    expect(spawnSync('ip', ['-o', 'link', 'show', shared.hostVeth], { encoding: 'utf8' }).stdout).toContain(
      `master ${shared.bridge}`,
    );
    expect(ps(file)).toEqual([]);
    // And it still works for the joiner: the resolver on its gateway and egress with the host's address.
    const joiner = row(`${other}-joiner-1`, ps(otherFile)).pid;
    // The gateway kept its MAC address: a bridge left to pick the lowest of its ports' would
    // change it as the owner's veths go, and the joiner's cached neighbour entry would go
    // nowhere for up to ~30 s.
    expect(macOf(shared.bridge)).toBe(mac);
    expect(lookup(joiner, outside.dnsName)).toEqual([outside.ip]);
    expect(wget(joiner, `http://${outside.dnsName}:${outside.httpPort}/`).stdout).toBe(`you are ${outside.hostIp}\n`);
  });

  it('once the joiner is down, the owner finishes its down by itself; down of both removes every trace', async () => {
    const bridge = JSON.parse(
      fs.readFileSync(path.join(env.env.STACK_ROOT!, 'stacks', project, 'state', 'networks', 'frontend.json'), 'utf8'),
    ) as { bridge: string };
    expect(supervisorPids(project)).toHaveLength(1); // it stayed to serve the kept network's names
    expect(stack(env, ['-f', otherFile, 'down', '-t', '0']).code).toBe(0);
    // No other stack uses the network now: the owner's supervisor removes it and exits.
    await waitFor(
      () => supervisorPids(project).length === 0 && !fs.existsSync(`/sys/class/net/${bridge.bridge}`),
      15_000,
      "the owner's supervisor to finish its down",
    );
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
    const again = stack(env, ['-f', file, 'down', '-t', '0']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('stays');
    // The outside namespace's veth goes in afterAll.
    const leaks = newObjects(before, snapshotHostObjects());
    leaks.links = leaks.links?.filter((l) => !l.startsWith('stko'));
    expect(Object.entries(leaks).filter(([, v]) => v.length > 0)).toEqual([]);
  });
});
