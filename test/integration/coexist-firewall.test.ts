// stack next to host firewalls that drop what they were not told about: a firewalld/ufw-like
// nftables `inet` table whose input and forward chains have policy drop, a firewalld-like
// one whose forward chain ends in a reject (policy accept), an iptables (iptables-nft)
// `filter` table with INPUT and FORWARD policy DROP, as ufw makes, and the same through
// iptables-legacy (older hosts; its tables are not nft at all). An accept in stack's own
// table cannot override a drop in another table's base chain at the same hook: every such
// chain needs accepts for stack's bridges, and they must go again with the stack.
//
// The firewalls live in a network namespace that plays the host (netns-host.ts): an input
// policy drop on the real host would cut off everything else on the machine.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { natTableName } from '../../model/names.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCoexistStack, stackReach, stackReachOk, type CoexistStack } from '../support/coexist-stack.js';
import { hostNetworkSettings, makeNetnsHost, type NetnsHost } from '../support/netns-host.js';
import { makeOutsideHost, type OutsideHost } from '../support/outside-host.js';
import { supervisorPids } from '../support/processes.js';

const settingsBefore = hostNetworkSettings();
let host: NetnsHost;
let outside: OutsideHost;
let s: CoexistStack;
/** A second stack in the same namespace: one stack's down must leave the other's accepts. */
let other: CoexistStack;
const ipForwardDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-coexist-ipfwd-'));
const firewall = `stkfw_${randomBytes(3).toString('hex')}`;
const rejecting = `${firewall}_reject`;

const FIREWALL = `
table inet ${firewall} {
  chain input {
    type filter hook input priority filter; policy drop;
    iif "lo" accept
    ct state established,related accept
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
  }
}
table inet ${rejecting} {
  chain forward {
    type filter hook forward priority filter + 10; policy accept;
    ct state established,related accept
    reject with icmpx admin-prohibited
  }
}
`;
/** ufw's defaults and its first rules, for iptables-nft and iptables-legacy alike. */
const UFW_LIKE = [
  ['-P', 'INPUT', 'DROP'],
  ['-P', 'FORWARD', 'DROP'],
  ['-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT'],
  ['-A', 'INPUT', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
  ['-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT'],
];

/** The firewalls as the namespace has them now (without counters). */
const firewalls = () => ({
  nft: [firewall, rejecting].map((t) => host.must(['nft', '-s', 'list', 'table', 'inet', t])),
  iptables: host.must(['iptables-nft', '-S']),
  legacy: host.must(['iptables-legacy', '-S']),
});
let made: ReturnType<typeof firewalls>;

beforeAll(async () => {
  host = makeNetnsHost();
  outside = await makeOutsideHost({ hostNetns: host.name });
  host.must(['nft', '-f', '-'], { input: FIREWALL });
  for (const tool of ['iptables-nft', 'iptables-legacy']) for (const rule of UFW_LIKE) host.must([tool, ...rule]);
  s = makeCoexistStack(host, outside, { ipForwardDir });
  other = makeCoexistStack(host, outside, { ports: [18090, 18091], ipForwardDir });
  made = firewalls();
}, 120_000);

afterAll(() => {
  s?.dispose();
  other?.dispose();
  fs.rmSync(ipForwardDir, { recursive: true, force: true });
  outside?.dispose();
  host?.dispose();
  expect(hostNetworkSettings()).toEqual(settingsBefore);
}, 60_000);

describe('next to firewalls whose input and forward chains drop', () => {
  it('the stack reaches services by name (DNS on the gateway) and the outside, and its published ports answer', () => {
    const up = s.up();
    expect(up.code, up.stderr).toBe(0);
    expect(stackReach(s, host, outside)).toEqual(stackReachOk(outside));
  });

  it("the accepts are in each dropping chain, marked with stack's table, for its bridge only", () => {
    const nft = host.must(['nft', 'list', 'ruleset']);
    const marked = nft
      .split('\n')
      .filter((l) => /comment "stk_/.test(l))
      .map((l) => l.trim());
    // input: DNS over UDP and TCP plus answers to the host's own connections; forward: out, answers, published ports.
    expect(marked.filter((l) => / dport 53 /.test(l))).toHaveLength(2);
    for (const l of marked)
      expect(l).toMatch(/^(iifname|oifname) "stkb[0-9a-f]{10}" ip [sd]addr \d+\.\d+\.\d+\.\d+\/\d+ /);
    const inTable = (t: string, chain: string) =>
      host
        .must(['nft', 'list', 'chain', 'inet', t, chain])
        .split('\n')
        .filter((l) => /comment "stk_/.test(l)).length;
    expect([inTable(firewall, 'input'), inTable(firewall, 'forward'), inTable(rejecting, 'forward')]).toEqual([
      3, 3, 3,
    ]);
    for (const tool of ['iptables-nft', 'iptables-legacy']) {
      const ipt = host
        .must([tool, '-S'])
        .split('\n')
        .filter((l) => /--comment "?stk_/.test(l));
      expect(
        ipt.filter((l) => l.startsWith('-A INPUT ')),
        tool,
      ).toHaveLength(3);
      expect(
        ipt.filter((l) => l.startsWith('-A FORWARD ')),
        tool,
      ).toHaveLength(3);
    }
  });

  it('a firewall reload (its table made again from its file) drops the accepts; the next up puts them back', () => {
    host.must(['nft', '-f', '-'], {
      input: `delete table inet ${firewall}\ndelete table inet ${rejecting}\n${FIREWALL}`,
    });
    const up = s.up();
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).toMatch(/drift/);
    expect(stackReach(s, host, outside)).toEqual(stackReachOk(outside));
  });

  it("one stack's down (after a kill -9 of its supervisor) leaves another stack's accepts working", () => {
    const up = other.up();
    expect(up.code, up.stderr).toBe(0);
    const supervisors = supervisorPids(s.project);
    expect(supervisors).toHaveLength(1);
    process.kill(supervisors[0]!, 'SIGKILL');
    const down = s.down();
    expect(down.code, down.stderr).toBe(0);
    const mark = natTableName(s.project);
    expect(host.must(['nft', 'list', 'ruleset'])).not.toContain(`"${mark}"`);
    for (const tool of ['iptables-nft', 'iptables-legacy']) expect(host.must([tool, '-S'])).not.toContain(mark);
    expect(host.must(['iptables-nft', '-S'])).toContain(natTableName(other.project));
    expect(stackReach(other, host, outside)).toEqual(stackReachOk(outside));
  });

  it("the last stack's down takes every accept out again: the firewalls are as they were made", () => {
    const down = other.down();
    expect(down.code, down.stderr).toBe(0);
    expect(firewalls()).toEqual(made);
  });
});
