// The ip6 half of a stack's NAT (nat6-ruleset.ts): what it holds for networks with IPv6 and
// published ports, that nft accepts it (check mode: nothing is applied), that a stack
// without IPv6 only deletes a leftover table, and that no word reaches nft unvalidated.

import { describe, expect, it } from 'vitest';
import { renderNat6Ruleset, nat6RuleCounts } from '../../executor/host/linux/nat6-ruleset.js';
import { renderNatRuleset } from '../../executor/host/linux/nat-ruleset.js';
import { runTool } from '../support/run-tool.js';
import type { NatSpec } from '../../model/plan.js';

const port = (hostPort: number, extra: Partial<NatSpec['ports'][number]> = {}): NatSpec['ports'][number] => ({
  service: 'web',
  container: 'demo-web-1',
  protocol: 'tcp',
  hostPort,
  containerIp: '10.89.0.2',
  containerIp6: 'fd00:89::2',
  containerPort: 80,
  ...extra,
});

const spec: NatSpec = {
  project: 'demo',
  table: 'stk_demo',
  hash: 'h',
  networks: [
    { bridge: 'stkab12cd34', subnet: '10.89.0.0/24', subnet6: 'fd00:89::/64', key: 'front' },
    { bridge: 'stkbdb', subnet: '10.89.1.0/24', key: 'db', internal: true },
  ],
  ports: [
    port(8080),
    port(8443, { hostIp: '::' }),
    port(8444, { hostIp: 'fd00:ab::1' }),
    port(8081, { hostIp: '127.0.0.1' }),
    port(8082, { containerIp6: undefined }),
  ],
};

describe('the ip6 table', () => {
  const text = renderNat6Ruleset(spec);

  it('masquerades the IPv6 subnets leaving their bridge and leads published ports to the IPv6 address', () => {
    expect(text).toContain('ip6 saddr fd00:89::/64 oifname != "stkab12cd34" masquerade');
    expect(text).toContain('fib daddr type local tcp dport 8080 dnat to [fd00:89::2]:80');
    expect(text).toContain('fib daddr type local tcp dport 8443 dnat to [fd00:89::2]:80');
    expect(text).toContain('fib daddr type local ip6 daddr fd00:ab::1 tcp dport 8444 dnat to [fd00:89::2]:80');
    // An IPv4 host address, and a container without IPv6, are the ip table's alone.
    expect(text).not.toMatch(/dport 808[12]/);
    expect(nat6RuleCounts(spec)).toMatchObject({ ports: 3, postrouting: 2 });
  });

  it('keeps the isolation and accepts of the ip table for the IPv6 network', () => {
    expect(text).toContain('iifname "stkab12cd34" oifname != "stkab12cd34" oifname "stkb*" ct status & dnat == 0 drop');
    expect(text).toContain('iifname "stkab12cd34" accept');
  });

  it('the ip table leaves ports on IPv6 host addresses out', () => {
    expect(renderNatRuleset(spec)).not.toMatch(/dport 84(43|44)/);
  });

  it('nft accepts both tables as one transaction (check mode)', async () => {
    await runTool('nft', ['-c', '-f', '-'], renderNatRuleset(spec) + text);
  });

  it('a first apply creates both tables (refused where one exists after all), without deleting', async () => {
    const fresh = renderNatRuleset(spec, { fresh: true }) + renderNat6Ruleset(spec, { fresh: true });
    expect(fresh).toMatch(/^create table ip6 stk_demo$/m);
    expect(fresh).not.toMatch(/delete/);
    await runTool('nft', ['-c', '-f', '-'], fresh);
  });

  it('a stack without IPv6 only deletes a leftover ip6 table', () => {
    const v4 = { ...spec, networks: [spec.networks[1]!], ports: [] };
    expect(renderNat6Ruleset(v4)).toBe('table ip6 stk_demo {}\ndelete table ip6 stk_demo\n');
  });

  it('refuses an address that is not a literal IPv6 one', () => {
    expect(() => renderNat6Ruleset({ ...spec, ports: [port(1, { containerIp6: 'example.com' })] })).toThrow(
      /invalid IPv6 container IP/,
    );
    const bad = { ...spec, networks: [{ ...spec.networks[0]!, subnet6: 'fd00:89::1/64' }] };
    expect(() => renderNat6Ruleset(bad)).toThrow(/invalid IPv6 CIDR/);
  });
});
