// The pure half of living next to docker and firewalls: which chains drop (from listings
// as nft and iptables-legacy print them) and which accepts go where. The kernel half is in
// test/integration/coexist-docker.test.ts and coexist-firewall.test.ts.

import { describe, expect, it } from 'vitest';
import {
  droppingLegacyChains,
  droppingNftChains,
  iptablesNftMayHoldMarks,
  tablesToList,
  type NftListing,
} from '../../executor/host/linux/firewall-chains.js';
import { acceptRules, acceptsInPlace, iptablesChanges, nftChanges } from '../../executor/host/linux/coexist-rules.js';
import { nativeAccept } from '../../executor/host/linux/iptables-nft-accepts.js';
import type { NatSpec } from '../../model/plan.js';

type Entry = NonNullable<NftListing['nftables']>[number];
const chain = (family: string, table: string, name: string, hook?: string, policy?: string): Entry => ({
  chain: { family, table, name, ...(hook ? { type: 'filter', hook, policy: policy ?? 'accept' } : {}) },
});
const rule = (
  family: string,
  table: string,
  chainName: string,
  handle: number,
  expr: Record<string, unknown>[],
  comment?: string,
): Entry => ({ rule: { family, table, chain: chainName, handle, expr, ...(comment ? { comment } : {}) } });

/** What dockerd makes through iptables-nft after turning ip_forward on (trimmed). */
const docker: NftListing = {
  nftables: [
    { table: { family: 'ip', name: 'filter' } },
    chain('ip', 'filter', 'INPUT', 'input'),
    chain('ip', 'filter', 'FORWARD', 'forward', 'drop'),
    chain('ip', 'filter', 'DOCKER-USER'),
    rule('ip', 'filter', 'FORWARD', 3, [{ counter: {} }, { jump: { target: 'DOCKER-USER' } }]),
    rule('ip', 'filter', 'DOCKER-USER', 4, [{ counter: {} }, { return: null }]),
  ],
};

/** firewalld's shape: policy accept, but the chain ends in a reject. Plus stack's own table and an output chain. */
const firewalld: NftListing = {
  nftables: [
    chain('inet', 'firewalld', 'filter_FORWARD', 'forward'),
    rule('inet', 'firewalld', 'filter_FORWARD', 7, [{ match: {} }, { accept: null }]),
    rule('inet', 'firewalld', 'filter_FORWARD', 8, [{ reject: { type: 'icmpx', expr: 'admin-prohibited' } }]),
    chain('inet', 'firewalld', 'filter_OUTPUT', 'output', 'drop'),
    chain('inet', 'firewalld', 'filter_INPUT', 'input'),
    rule('inet', 'firewalld', 'filter_INPUT', 9, [{ match: {} }, { reject: null }]),
    chain('ip', 'stk_web_abc123', 'forward', 'forward', 'drop'),
    chain('ip6', 'filter6', 'input', 'input', 'drop'),
  ],
};

const spec: NatSpec = {
  project: 'web',
  table: 'stk_web_abc123',
  hash: 'h',
  networks: [
    { bridge: 'stkb0123456789', subnet: '10.89.0.0/24' },
    { bridge: 'stkbabcdefabcd', subnet: '10.89.1.0/24', internal: true },
  ],
  ports: [],
};

describe('dropping chains', () => {
  it("docker's FORWARD policy DROP, in an iptables-nft table: accepts belong in DOCKER-USER", () => {
    expect(droppingNftChains(docker)).toEqual([
      {
        backend: 'iptables-nft',
        family: 'ip',
        table: 'filter',
        chain: 'FORWARD',
        hook: 'forward',
        drops: 'policy',
        acceptIn: 'DOCKER-USER',
      },
    ]);
  });

  it("a chain that ends in an unconditional reject drops too (not a conditional one; only input/forward, never stack's own tables or IPv6)", () => {
    expect(droppingNftChains(firewalld)).toEqual([
      {
        backend: 'nft',
        family: 'inet',
        table: 'firewalld',
        chain: 'filter_FORWARD',
        hook: 'forward',
        drops: 'last rule',
        acceptIn: 'filter_FORWARD',
      },
    ]);
  });

  it("lists the rules only of tables with a filter input/forward chain (not stack's own, not IPv6, not output-only)", () => {
    expect(
      tablesToList({
        nftables: [...docker.nftables!, ...firewalld.nftables!, chain('inet', 'bad name', 'x', 'input', 'drop')],
      }),
    ).toEqual([
      { family: 'ip', name: 'filter' },
      { family: 'inet', name: 'firewalld' },
    ]);
  });

  it('iptables-legacy: policies, a final -j REJECT, and DOCKER-USER', () => {
    const listing = [
      '-P INPUT ACCEPT',
      '-P FORWARD DROP',
      '-P OUTPUT ACCEPT',
      '-N DOCKER-USER',
      '-A INPUT -i lo -j ACCEPT',
      '-A INPUT -j REJECT --reject-with icmp-host-prohibited',
      '-A FORWARD -j DOCKER-USER',
    ].join('\n');
    expect(droppingLegacyChains(listing)).toEqual([
      {
        backend: 'iptables-legacy',
        family: 'ip',
        table: 'filter',
        chain: 'INPUT',
        hook: 'input',
        drops: 'last rule',
        acceptIn: 'INPUT',
      },
      {
        backend: 'iptables-legacy',
        family: 'ip',
        table: 'filter',
        chain: 'FORWARD',
        hook: 'forward',
        drops: 'policy',
        acceptIn: 'DOCKER-USER',
      },
    ]);
    expect(droppingLegacyChains('-P INPUT ACCEPT\n-P FORWARD ACCEPT\n-A INPUT -p tcp -j DROP\n')).toEqual([]);
  });
});

describe('accepts', () => {
  const rules = acceptRules(spec);

  it("name only the stack's own bridges, each with its own subnet, and carry the stack's table as their mark", () => {
    const ownBridgeAndSubnet =
      /^[io]ifname "(stkb0123456789" .*ip [sd]addr 10\.89\.0\.0\/24|stkbabcdefabcd" .*ip [sd]addr 10\.89\.1\.0\/24) /;
    for (const r of rules.filter((r) => r.onlyIn === undefined)) {
      expect(r.nft).toMatch(ownBridgeAndSubnet);
      expect(r.nft).toMatch(/ accept comment "stk_web_abc123"$/);
      expect(r.iptables).toMatch(
        /^-[io] (stkb0123456789 .*-[sd] 10\.89\.0\.0\/24|stkbabcdefabcd .*-[sd] 10\.89\.1\.0\/24) .*-m comment --comment stk_web_abc123 -j ACCEPT$/,
      );
    }
    // Input: DNS to the gateway and answers to the host's own connections, nothing else.
    expect(rules.filter((r) => r.hook === 'input').map((r) => r.nft.replace(/ accept comment .*/, ''))).toEqual([
      'iifname "stkb0123456789" ip daddr 10.89.0.0/24 udp dport 53',
      'iifname "stkb0123456789" ip daddr 10.89.0.0/24 tcp dport 53',
      'iifname "stkb0123456789" ip daddr 10.89.0.0/24 ct state established,related',
      'iifname "stkbabcdefabcd" ip daddr 10.89.1.0/24 udp dport 53',
      'iifname "stkbabcdefabcd" ip daddr 10.89.1.0/24 tcp dport 53',
      'iifname "stkbabcdefabcd" ip daddr 10.89.1.0/24 ct state established,related',
    ]);
  });

  it("in DOCKER-USER only: traffic from a stack bridge into docker's bridges goes back to docker's chains", () => {
    expect(rules.filter((r) => r.onlyIn !== undefined)).toEqual([
      {
        hook: 'forward',
        nft: '',
        iptables: '-i stkb0123456789 -o docker0 -m comment --comment stk_web_abc123 -j RETURN',
        onlyIn: 'DOCKER-USER',
      },
      {
        hook: 'forward',
        nft: '',
        iptables: '-i stkb0123456789 -o br-+ -m comment --comment stk_web_abc123 -j RETURN',
        onlyIn: 'DOCKER-USER',
      },
    ]);
  });

  it('an internal network is let through only within its bridge', () => {
    expect(rules.filter((r) => r.hook === 'forward' && r.nft.includes('stkbabcdefabcd')).map((r) => r.nft)).toEqual([
      'iifname "stkbabcdefabcd" oifname "stkbabcdefabcd" ip saddr 10.89.1.0/24 accept comment "stk_web_abc123"',
    ]);
  });

  it("replace only the stack's own marked rules, in one nft text, and go where each chain's accepts belong", () => {
    // Marked rules sit at the top of the chain, before its final reject.
    const [forward, ...rest] = firewalld.nftables!;
    const listing: NftListing = {
      nftables: [
        forward!,
        rule('inet', 'firewalld', 'filter_FORWARD', 20, [], 'stk_web_abc123'),
        rule('inet', 'firewalld', 'filter_FORWARD', 21, [], 'stk_other_def456'),
        ...rest,
      ],
    };
    const text = nftChanges(droppingNftChains(listing), rules, listing, 'stk_web_abc123').split('\n');
    expect(text[0]).toBe('delete rule inet firewalld filter_FORWARD handle 20');
    expect(text.filter((l) => l.startsWith('delete'))).toHaveLength(1);
    expect(text.filter((l) => l.startsWith('insert rule inet firewalld filter_FORWARD '))).toHaveLength(4);
    // Removal: the same with no rules.
    expect(nftChanges(droppingNftChains(listing), [], listing, 'stk_web_abc123')).toBe(
      'delete rule inet firewalld filter_FORWARD handle 20\n',
    );
  });

  it('in iptables: delete what -S lists with the mark, insert into DOCKER-USER', () => {
    const chains = droppingNftChains(docker);
    const listing =
      '-P FORWARD DROP\n-N DOCKER-USER\n-A DOCKER-USER -s 10.89.0.0/24 -i stkb0123456789 -m comment --comment stk_web_abc123 -j ACCEPT\n-A DOCKER-USER -m comment --comment stk_web_abc1234 -j ACCEPT\n-A DOCKER-USER -j RETURN\n';
    const lines = iptablesChanges('iptables-nft', chains, rules, listing, 'stk_web_abc123');
    expect(lines[0]).toBe(
      '-D DOCKER-USER -s 10.89.0.0/24 -i stkb0123456789 -m comment --comment stk_web_abc123 -j ACCEPT',
    );
    expect(lines.filter((l) => l.startsWith('-D'))).toHaveLength(1);
    const inserts = lines.filter((l) => l.startsWith('-I DOCKER-USER '));
    // Each -I goes to the top: the RETURNs, inserted last, end up above the accepts.
    expect(inserts.map((l) => l.split(' ').at(-1))).toEqual([
      'ACCEPT',
      'ACCEPT',
      'ACCEPT',
      'RETURN',
      'RETURN',
      'ACCEPT',
    ]);
    expect(iptablesChanges('iptables-legacy', chains, rules, '', 'stk_web_abc123')).toEqual([]);
  });

  it('are in place only when every dropping chain holds all of them', () => {
    const chains = droppingNftChains(docker);
    const forward = rules.filter((r) => r.hook === 'forward');
    // iptables-nft's rules are counted in the nft listing, their xt comments given as comments.
    const marked = (n: number): NftListing => ({
      nftables: [
        ...docker.nftables!,
        ...forward.slice(0, n).map((_, i) => rule('ip', 'filter', 'DOCKER-USER', 30 + i, [], 'stk_web_abc123')),
      ],
    });
    expect(acceptsInPlace(chains, rules, marked(6), { 'iptables-nft': '' }, 'stk_web_abc123')).toBe(true);
    expect(acceptsInPlace(chains, rules, marked(5), { 'iptables-nft': '' }, 'stk_web_abc123')).toBe(false);
    // iptables-legacy's, in its -S listing.
    const legacy = '-P FORWARD DROP\n-N DOCKER-USER\n';
    const listed = (n: number) =>
      legacy +
      forward
        .slice(0, n)
        .map((r) => `-A DOCKER-USER ${r.iptables}`)
        .join('\n');
    const legacyChains = droppingLegacyChains(legacy);
    expect(
      acceptsInPlace(legacyChains, rules, { nftables: [] }, { 'iptables-legacy': listed(6) }, 'stk_web_abc123'),
    ).toBe(true);
    expect(
      acceptsInPlace(legacyChains, rules, { nftables: [] }, { 'iptables-legacy': listed(5) }, 'stk_web_abc123'),
    ).toBe(false);
    expect(acceptsInPlace([], rules, { nftables: [] }, {}, 'stk_web_abc123')).toBe(true);
  });

  it("iptables-nft's marked rules go by handle in the nft text; -S is needed for iptables-legacy only", () => {
    const listing = marked2();
    expect(nftChanges(droppingNftChains(listing), [], listing, 'stk_web_abc123')).toBe(
      'delete rule ip filter DOCKER-USER handle 30\n',
    );
    const lines = iptablesChanges('iptables-nft', droppingNftChains(listing), rules, '', 'stk_web_abc123');
    expect(lines.every((l) => l.startsWith('-I DOCKER-USER '))).toBe(true);
  });

  it("the comments of iptables-nft's rules need reading only where one of its rules has a comment", () => {
    expect(iptablesNftMayHoldMarks(docker)).toBe(false);
    const xtComment = rule('ip', 'filter', 'FORWARD', 9, [
      { xt: { type: 'match', name: 'comment' } },
      { accept: null },
    ]);
    expect(iptablesNftMayHoldMarks({ nftables: [...docker.nftables!, xtComment] })).toBe(true);
    expect(
      iptablesNftMayHoldMarks({ nftables: [...docker.nftables!, rule('ip', 'filter', 'FORWARD', 9, [], 'x')] }),
    ).toBe(true);
    // Only iptables' own table: a comment elsewhere is nft's, listed with its text.
    expect(iptablesNftMayHoldMarks({ nftables: [rule('inet', 'filter', 'forward', 9, [], 'x')] })).toBe(false);
  });
});

describe('accepts written as nf_tables rules for iptables-nft', () => {
  it("are every forward accept (an internal network's too); those with a port match (DNS, at input) are left to the tool", () => {
    const rules = acceptRules(spec);
    const forward = rules.filter((r) => r.hook === 'forward');
    expect(forward.some((r) => r.iptables.includes(' -o stkbabcdefabcd -s '))).toBe(true);
    for (const r of forward) expect(nativeAccept(r.iptables), r.iptables).toBeDefined();
    const ports = rules.filter((r) => r.iptables.includes(' --dport '));
    expect(ports).toHaveLength(4);
    for (const r of ports) expect(nativeAccept(r.iptables), r.iptables).toBeUndefined();
    for (const other of [
      '-i stkb0 -j DROP',
      '-i stkb0 -m conntrack --ctstate NEW -j ACCEPT',
      '-i stkb0 -j ACCEPT -m comment --comment x',
      '-i stkb0 -m comment --comment stk_a',
      '! -i stkb0 -j ACCEPT',
    ])
      expect(nativeAccept(other), other).toBeUndefined();
  });
});

/** docker's table with one accept marked for stk_web_abc123 and one for another stack. */
function marked2(): NftListing {
  return {
    nftables: [
      ...docker.nftables!,
      rule('ip', 'filter', 'DOCKER-USER', 30, [], 'stk_web_abc123'),
      rule('ip', 'filter', 'DOCKER-USER', 31, [], 'stk_web_abc1234'),
    ],
  };
}
