// network_mode: bridge on the real kernel: the host-wide default bridge (stkbd…) that every
// stack of a STACK_ROOT shares. From inside a container: egress with masquerade to a
// namespace playing the outside host, external names through the host's resolvers (here the
// outside's fake upstream, STACK_DNS_UPSTREAM) and service names NOT resolved (the query goes
// to that upstream, which answers NXDOMAIN); published ports work. A second stack joins the
// same bridge and keeps it through the first one's down; the last down removes it. A kill
// -9 of the supervisor mid-apply, and the states a kill at each step of a join or a leave
// leaves behind, converge with the next up and down.

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
import { inside, lookup, ps as psOf, type PsRow } from '../support/stack-containers.js';
import { findSupervisorPid, killAndWait, killSupervisors, startStack, waitFor } from '../support/processes.js';
import { defaultBridgeNames } from '../../model/default-bridge.js';

let env: StackEnv;
let outside: OutsideHost;
let names: { bridge: string; table: string };
let dir: string;
const projects: string[] = [];
const files = new Map<string, string>();

const httpd = (extra: string) =>
  `    image: ${TEST_IMAGE}\n    command: httpd -f -p 80 -h /www\n    stop_grace_period: 0s\n${extra}`;

function stackFile(prefix: string, services: string): { project: string; file: string } {
  const project = uniqueProject(prefix);
  projects.push(project);
  const file = path.join(env.root, `${project}.yaml`);
  fs.writeFileSync(file, `name: ${project}\nservices:\n${services}`);
  files.set(project, file);
  return { project, file };
}

const up = (file: string) => {
  const r = stack(env, ['-f', file, 'up', '-d']);
  expect(r.code, r.stderr).toBe(0);
};
const down = (file: string) => {
  const r = stack(env, ['-f', file, 'down', '-t', '0']);
  expect(r.code, r.stderr).toBe(0);
};
const row = (file: string, service: string): PsRow => psOf(env, file).find((r) => r.service === service)!;
const wget = (pid: number, url: string) => inside(pid, ['timeout', '3', 'wget', '-q', '-O-', url]);
const linkExists = (name: string) => spawnSync('ip', ['link', 'show', 'dev', name], { stdio: 'ignore' }).status === 0;
const tableExists = (name: string) => spawnSync('nft', ['list', 'table', 'ip', name], { stdio: 'ignore' }).status === 0;
const marks = () => {
  try {
    return fs.readdirSync(path.join(dir, 'users')).sort();
  } catch {
    return [];
  }
};

/** Nothing of the default bridge is left: link, table, record and marks. */
function expectGone(): void {
  expect(linkExists(names.bridge)).toBe(false);
  expect(tableExists(names.table)).toBe(false);
  expect(fs.existsSync(dir)).toBe(false);
}

/** A container on the default bridge leaves with the host's address on the outside link. */
function expectEgress(pid: number): void {
  expect(wget(pid, `http://${outside.ip}:${outside.httpPort}/`).stdout).toBe(`you are ${outside.hostIp}\n`);
}

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  outside = await makeOutsideHost();
  // The stack forwards unknown names here, and a default-bridge container asks it directly.
  env.env.STACK_DNS_UPSTREAM = outside.ip;
  names = defaultBridgeNames(path.resolve(env.env.STACK_ROOT!));
  dir = path.join(env.env.STACK_ROOT!, 'default-bridge');
});

afterAll(async () => {
  for (const p of projects) {
    stack(env, ['-f', files.get(p)!, 'down', '-t', '0']);
    await killSupervisors(p);
  }
  outside?.dispose();
  env?.dispose();
});

describe('network_mode: bridge', () => {
  let first: { project: string; file: string };
  let second: { project: string; file: string };
  let local: number;
  let any: number;

  it('puts the container on the default bridge: egress, external names, no service names, published ports', async () => {
    [local, any] = [await freePort(), await freePort()];
    first = stackFile(
      'tdbr',
      `  web:\n${httpd(`    network_mode: bridge\n    ports: ["127.0.0.1:${local}:80", "${any}:80"]\n`)}  peer:\n${sleeper('')}`,
    );
    up(first.file);
    const web = row(first.file, 'web');
    expect(web.addresses).toEqual([{ network: 'bridge', ip: expect.stringMatching(/^10\.123\./) }]);
    expect(linkExists(names.bridge)).toBe(true);
    expect(marks()).toEqual([`${first.project}.json`]);
    expectEgress(web.pid);
    // The host's resolvers, not the stack's: an external name resolves through them…
    expect(inside(web.pid, ['cat', '/etc/resolv.conf']).stdout).toBe(`nameserver ${outside.ip}\n`);
    expect(lookup(web.pid, outside.dnsName)).toEqual([outside.ip]);
    // …and a service name of its own stack does not (the fake upstream knows no such name).
    expect(lookup(web.pid, 'peer')).toEqual([]);
    expect(lookup(web.pid, `${first.project}-peer-1`)).toEqual([]);
    // Nor can the stack's own network reach it (isolation between bridges, as docker's).
    expect(inside(row(first.file, 'peer').pid, ['ping', '-c', '1', '-W', '1', web.addresses[0]!.ip]).code).not.toBe(0);
    expect(await httpGet(`http://127.0.0.1:${local}/`)).toContain('hello from stack');
    expect(
      outside.run(['timeout', '3', 'busybox', 'wget', '-q', '-O-', `http://${outside.hostIp}:${any}/`]).stdout,
    ).toContain('hello from stack');
  });

  it("a second stack joins the same bridge; the first one's down keeps it for the second", () => {
    second = stackFile('tdbs', `  guest:\n${sleeper('    network_mode: bridge\n')}`);
    up(second.file);
    const guest = row(second.file, 'guest');
    const webIp = row(first.file, 'web').addresses[0]!.ip;
    expect(guest.addresses[0]!.ip).not.toBe(webIp);
    expect(guest.addresses[0]!.ip.split('.').slice(0, 3)).toEqual(webIp.split('.').slice(0, 3));
    expect(marks()).toEqual([`${first.project}.json`, `${second.project}.json`].sort());
    // Containers on the default bridge reach each other by address, as on docker's.
    expect(wget(guest.pid, `http://${webIp}/`).stdout).toContain('hello from stack');

    down(first.file);
    expect(linkExists(names.bridge)).toBe(true);
    expect(marks()).toEqual([`${second.project}.json`]);
    expectEgress(row(second.file, 'guest').pid);
  });

  it('the last down removes the bridge, its table and its records', () => {
    down(second.file);
    expectGone();
  });
});

describe('crash safety', () => {
  const services = () => `  solo:\n${sleeper('    network_mode: bridge\n')}`;

  it('supervisor SIGKILLed once the join has marked the stack: up converges, down removes the bridge', async () => {
    const { project, file } = stackFile('tdbk', services());
    const running = startStack(env, ['-f', file, 'up', '-d']);
    const supervisor = await waitFor(() => findSupervisorPid(project), 10_000, 'the supervisor');
    await waitFor(() => marks().includes(`${project}.json`), 10_000, 'the join to mark the stack');
    await killAndWait(supervisor);
    await running.result;
    up(file);
    expectEgress(row(file, 'solo').pid);
    down(file);
    expectGone();
  });

  it("a damaged record while another stack uses the bridge: a join refuses, naming it, and leaves that stack's network", () => {
    // The fault: the bridge's record is truncated while a stack has containers on it. A join
    // took the bridge for a leftover and removed it, cutting the user's containers off
    // (found in review).
    const user = stackFile('tdbu', services());
    const next = stackFile('tdbn', services());
    up(user.file);
    try {
      fs.writeFileSync(path.join(dir, 'network.json'), '{"proj');
      const r = stack(env, ['-f', next.file, 'up', '-d']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`is missing or damaged while stack(s) ${user.project} use it`);
      expectEgress(row(user.file, 'solo').pid);
    } finally {
      down(next.file);
      down(user.file);
    }
    expectGone();
  });

  // What a kill -9 at each step of a join or a leave leaves (executor/host/linux/default-bridge.ts
  // writes the record, then the mark, then the bridge and its table; a leave takes them
  // off in the same order): made by hand from a sound bridge with its supervisor killed.
  const states: [string, { mark?: boolean; table?: boolean; bridge?: boolean }][] = [
    ['join: marked, no bridge yet', { bridge: false, table: false }],
    ['join: bridge made, table not yet', { table: false }],
    ['leave: mark off, bridge and table still there', { mark: false }],
    ['leave: mark and table off, bridge still there', { mark: false, table: false }],
    ['leave: only the record left', { mark: false, table: false, bridge: false }],
  ];
  it.each(states)('killed at "%s": up repairs it, down removes everything', async (_what, left) => {
    const { project, file } = stackFile('tdbc', services());
    const leaveAsKilled = async () => {
      await killAndWait(await waitFor(() => findSupervisorPid(project), 10_000, 'the supervisor'));
      if (left.mark === false) fs.rmSync(path.join(dir, 'users', `${project}.json`));
      if (left.table === false) spawnSync('nft', ['delete', 'table', 'ip', names.table]);
      if (left.bridge === false) spawnSync('ip', ['link', 'del', 'dev', names.bridge]);
    };
    up(file);
    await leaveAsKilled();
    up(file);
    expect(marks()).toEqual([`${project}.json`]);
    expect([linkExists(names.bridge), tableExists(names.table)]).toEqual([true, true]);
    expectEgress(row(file, 'solo').pid);
    await leaveAsKilled();
    down(file);
    expectGone();
  });
});
