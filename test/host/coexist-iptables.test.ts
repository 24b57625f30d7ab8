// The accepts in iptables tables (docker's, ufw's) without an `iptables` process where none
// is needed. iptables-nft: its marked rules are found by their xt comments (one netlink
// dump) and taken out by handle through nft; the forward accepts go in as nf_tables rules
// in the encoding iptables-nft reads back as the same rules (iptables-nft-accepts.ts), and
// only input accepts still run iptables-nft-restore. iptables-legacy: its table is read
// through getsockopt, and listed by the tool only when a comment there names a stack table
// (taking a rule out goes by its text). Against real tables in network namespaces that play
// the host, with a commented rule of other software (podman's netavark makes one) beside
// stack's, and accepts an older apply left there (a network since removed) that must go.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatSpec } from '../../model/plan.js';
import { makeNetnsHost, type NetnsHost } from '../support/netns-host.js';
import { repoRoot } from '../support/stack-cli.js';

const MARK = 'stk_tnat_abc123';
const spec: NatSpec = {
  project: 'tnat',
  table: MARK,
  hash: 'h',
  ports: [],
  networks: [{ bridge: 'stkb0123456789', subnet: '10.89.0.0/24' }],
};
/** An accept an older apply of the same stack left, for a network no longer in it. */
const OLD = ['-I', 'DOCKER-USER', '-s', '10.89.9.0/24', '-i', 'stkbold0000000', '-m', 'comment', '--comment', MARK];
const dist = (f: string) => JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux', f));

/** Runs placeAccepts, removeAccepts or only the check inside the namespace: the tools it started, and the check. */
function runIn(host: NetnsHost, op: 'place' | 'remove' | 'check'): { spawned: string[]; present: boolean } {
  const script = `
import cp from 'node:child_process';
import path from 'node:path';
const spawned = [];
const spawn = cp.spawn;
cp.spawn = (file, args, opts) => (spawned.push([path.basename(file), ...args].join(' ')), spawn(file, args, opts));
const { placeAccepts, removeAccepts, acceptsPresent } = await import(${dist('coexist.js')});
const spec = ${JSON.stringify(spec)};
if (${JSON.stringify(op)} === 'place') await placeAccepts(spec);
if (${JSON.stringify(op)} === 'remove') await removeAccepts(spec.table);
const present = await acceptsPresent(spec);
console.log(JSON.stringify({ spawned, present }));
`;
  const out = host.must([process.execPath, '--input-type=module', '-e', script]);
  return JSON.parse(out.trim().split('\n').at(-1)!) as { spawned: string[]; present: boolean };
}

/**
 * For a describe: a namespace, made before its tests and removed after them, with docker's
 * shape of `tool`'s filter table and netavark's commented jump.
 */
function tableIn(tool: string) {
  let host: NetnsHost | undefined;
  const ipt = (...args: string[]) => host!.must([tool, '-w', ...args]);
  beforeAll(() => {
    host = makeNetnsHost();
    ipt('-N', 'DOCKER-USER');
    ipt('-A', 'DOCKER-USER', '-j', 'RETURN');
    ipt('-A', 'FORWARD', '-j', 'DOCKER-USER');
    ipt('-A', 'FORWARD', '-m', 'comment', '--comment', 'netavark firewall plugin rules', '-j', 'ACCEPT');
  }, 30_000);
  afterAll(() => host?.dispose());
  const marked = () =>
    ipt('-S')
      .split('\n')
      .filter((l) => l.includes(MARK));
  return { ipt, marked, host: () => host!, run: (op: Parameters<typeof runIn>[1]) => runIn(host!, op) };
}

/** What iptables itself reads back after placing: the current network's rules only, the RETURNs first. */
const PLACED = [
  `-A DOCKER-USER -i stkb0123456789 -o br-+ -m comment --comment ${MARK} -j RETURN`,
  `-A DOCKER-USER -i stkb0123456789 -o docker0 -m comment --comment ${MARK} -j RETURN`,
  `-A DOCKER-USER -d 10.89.0.0/24 -o stkb0123456789 -m conntrack --ctstate DNAT -m comment --comment ${MARK} -j ACCEPT`,
  `-A DOCKER-USER -d 10.89.0.0/24 -o stkb0123456789 -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment ${MARK} -j ACCEPT`,
  `-A DOCKER-USER -s 10.89.0.0/24 -i stkb0123456789 -m comment --comment ${MARK} -j ACCEPT`,
];
/** The table as tableOf made it, with FORWARD's policy DROP. */
const MADE = [
  '-P INPUT ACCEPT',
  '-P FORWARD DROP',
  '-P OUTPUT ACCEPT',
  '-N DOCKER-USER',
  '-A FORWARD -j DOCKER-USER',
  '-A FORWARD -m comment --comment "netavark firewall plugin rules" -j ACCEPT',
  '-A DOCKER-USER -j RETURN',
  '',
].join('\n');

describe("stack's accepts in an iptables-nft table, without an iptables process", () => {
  const { ipt, marked, run, host } = tableIn('iptables-nft');

  it('where no chain drops, an older accept still goes, and no iptables tool runs', () => {
    ipt(...OLD, '-j', 'ACCEPT');
    expect(marked()).toHaveLength(1);
    expect(run('place')).toEqual({ spawned: [], present: true });
    expect(marked()).toEqual([]);
    expect(ipt('-S')).toContain('--comment "netavark firewall plugin rules"');
  });

  it("with docker's FORWARD policy DROP: the accepts go into DOCKER-USER without a process", () => {
    ipt('-P', 'FORWARD', 'DROP');
    ipt(...OLD, '-j', 'ACCEPT');
    expect(run('place')).toEqual({ spawned: [], present: true });
    expect(marked()).toEqual(PLACED);
  });

  it('iptables takes them for its own: -C finds each, save and restore keep them, docker can change the table', () => {
    for (const l of PLACED) ipt('-C', ...l.replace(/^-A /, '').split(' '));
    const saved = host().must(['iptables-nft-save', '-t', 'filter']);
    expect(saved.split('\n').filter((l) => l.includes(MARK))).toEqual(PLACED);
    // What a firewall tool's reload does: the table as saved, back in.
    host().must(['iptables-nft-restore', '-w'], { input: saved });
    expect(marked()).toEqual(PLACED);
    ipt('-I', 'FORWARD', '-i', 'docker0', '-o', 'docker0', '-j', 'ACCEPT');
    ipt('-D', 'FORWARD', '-i', 'docker0', '-o', 'docker0', '-j', 'ACCEPT');
  });

  it('placing again replaces them: the same rules, once', () => {
    const before = marked();
    expect(run('place')).toEqual({ spawned: [], present: true });
    expect(marked()).toEqual(before);
  });

  it('a missing accept is drift, seen without a process', () => {
    ipt('-D', ...marked()[4]!.replace(/^-A /, '').split(' '));
    expect(run('check')).toEqual({ spawned: [], present: false });
  });

  it('removing takes every marked rule out by handle, without a process; the rest stays', () => {
    expect(run('remove')).toEqual({ spawned: [], present: false });
    expect(marked()).toEqual([]);
    expect(ipt('-S')).toBe(MADE);
  });

  it("with ufw's INPUT policy DROP too: the input accepts (a port match) go through iptables-nft-restore", () => {
    ipt('-P', 'INPUT', 'DROP');
    expect(run('place')).toEqual({ spawned: ['iptables-nft-restore -w --noflush'], present: true });
    expect(marked().filter((l) => l.startsWith('-A INPUT '))).toHaveLength(3);
    expect(marked().filter((l) => l.startsWith('-A DOCKER-USER '))).toEqual(PLACED);
    expect(run('remove')).toEqual({ spawned: [], present: false });
    expect(ipt('-S')).toBe(MADE.replace('-P INPUT ACCEPT', '-P INPUT DROP'));
  });
});

describe("stack's accepts in an iptables-legacy table, listed only where they may be", () => {
  const { ipt, marked, run } = tableIn('iptables-legacy');
  const restore = 'iptables-legacy-restore -w --noflush';
  const list = 'iptables-legacy -w -t filter -S';

  it('where no chain drops and no comment names a stack table, no iptables tool runs', () => {
    expect(run('place')).toEqual({ spawned: [], present: true });
  });

  it("with docker's FORWARD policy DROP: one iptables-legacy-restore inserts the accepts", () => {
    ipt('-P', 'FORWARD', 'DROP');
    // The check after it lists: the accepts are there now.
    expect(run('place')).toEqual({ spawned: [restore, list], present: true });
    expect(marked()).toEqual(PLACED);
  });

  it("an older apply's accepts there: listed, and replaced", () => {
    ipt(...OLD, '-j', 'ACCEPT');
    expect(run('place')).toEqual({ spawned: [list, restore, list], present: true });
    expect(marked()).toEqual(PLACED);
  });

  it('removing lists them and takes every one out', () => {
    expect(run('remove')).toEqual({ spawned: [list, restore], present: false });
    expect(ipt('-S')).toBe(MADE);
  });
});
