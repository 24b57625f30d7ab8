// iptables-legacy's filter table read through getsockopt (iptables-legacy-table.ts) must say
// what `iptables-legacy -S` says to the scan: which of INPUT and FORWARD drop and how, where
// their accepts go, and the comments. Each case is made with the tool in a network
// namespace of the test's own and read both ways.

import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { droppingLegacyChains } from '../../executor/host/linux/firewall-chains.js';
import type { LegacyFilter } from '../../executor/host/linux/iptables-legacy-table.js';
import { makeNetnsHost, type NetnsHost } from '../support/netns-host.js';
import { repoRoot } from '../support/stack-cli.js';

let host: NetnsHost;
const ipt = (...args: string[]) => host.must(['iptables-legacy', '-w', ...args]);

function readInside(): LegacyFilter | undefined {
  const module = JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/iptables-legacy-table.js'));
  const script = `const { readLegacyFilter } = await import(${module}); console.log(JSON.stringify(readLegacyFilter() ?? null));`;
  const out = host.must([process.execPath, '--input-type=module', '-e', script]);
  return (JSON.parse(out.trim().split('\n').at(-1)!) as LegacyFilter | null) ?? undefined;
}

/** Resets the table, makes `rules` (tool arguments each) and reads it both ways. */
function both(rules: string[][]): { read: LegacyFilter | undefined; listed: LegacyFilter } {
  ipt('-F');
  ipt('-X');
  for (const c of ['INPUT', 'FORWARD', 'OUTPUT']) ipt('-P', c, 'ACCEPT');
  for (const r of rules) ipt(...r);
  const listing = ipt('-S');
  const comments = [...listing.matchAll(/--comment (?:"([^"]*)"|(\S+))/g)].map((m) => m[1] ?? m[2]!);
  return { read: readInside(), listed: { chains: droppingLegacyChains(listing), comments } };
}

beforeAll(() => {
  host = makeNetnsHost();
  ipt('-S'); // makes the namespace's legacy filter table
}, 30_000);

afterAll(() => host?.dispose());

describe("iptables-legacy's filter table read in-process", () => {
  const cases: [string, string[][], number][] = [
    ['a table with no rules', [], 0],
    [
      "docker's: FORWARD policy DROP, DOCKER-USER; ufw's INPUT policy DROP",
      [
        ['-P', 'INPUT', 'DROP'],
        ['-P', 'FORWARD', 'DROP'],
        ['-N', 'DOCKER-USER'],
        ['-A', 'FORWARD', '-j', 'DOCKER-USER'],
        ['-A', 'DOCKER-USER', '-j', 'RETURN'],
        ['-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT'],
      ],
      2,
    ],
    [
      'a last rule that drops or rejects everything',
      [
        ['-A', 'INPUT', '-i', 'lo', '-j', 'ACCEPT'],
        ['-A', 'INPUT', '-j', 'REJECT', '--reject-with', 'icmp-host-prohibited'],
        ['-A', 'FORWARD', '-j', 'DROP'],
      ],
      2,
    ],
    [
      'last rules that drop only some traffic, or a drop before an accept',
      [
        ['-A', 'INPUT', '-j', 'DROP'],
        ['-A', 'INPUT', '-p', 'tcp', '-j', 'DROP'],
        ['-A', 'FORWARD', '-j', 'REJECT'],
        ['-A', 'FORWARD', '!', '-s', '10.0.0.0/8', '-j', 'DROP'],
        ['-A', 'OUTPUT', '-j', 'DROP'],
      ],
      0,
    ],
    [
      'by interface, by fragment, by a match',
      [
        ['-A', 'INPUT', '-i', 'eth0', '-j', 'DROP'],
        ['-A', 'FORWARD', '-f', '-j', 'DROP'],
        ['-N', 'DOCKER-USER'],
        ['-A', 'FORWARD', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP'],
      ],
      0,
    ],
    [
      "comments, a stack's and others', and a jump as the last rule",
      [
        ['-N', 'SOME'],
        ['-A', 'INPUT', '-i', 'stkb0123456789', '-m', 'comment', '--comment', 'stk_web_abc123', '-j', 'ACCEPT'],
        ['-A', 'FORWARD', '-m', 'comment', '--comment', 'netavark firewall plugin rules', '-j', 'ACCEPT'],
        ['-A', 'FORWARD', '-j', 'SOME'],
        ['-P', 'FORWARD', 'DROP'],
      ],
      1,
    ],
  ];
  for (const [name, rules, dropping] of cases)
    it(name, () => {
      const { read, listed } = both(rules);
      expect(read).toEqual(listed);
      expect(read?.chains).toHaveLength(dropping);
    });
});
