import { describe, expect, it } from 'vitest';
import { assertCidr } from '../../executor/host/linux/literals.js';
import { renderNatRuleset } from '../../executor/host/linux/nat-ruleset.js';
import { renderNat6Ruleset } from '../../executor/host/linux/nat6-ruleset.js';
import { runTool } from '../support/run-tool.js';
import type { NatSpec } from '../../model/plan.js';

const spec: NatSpec = {
  project: 'demo',
  table: 'stk_demo',
  hash: 'h',
  networks: [
    { bridge: 'stkab12cd34', subnet: '10.89.0.0/24' },
    { bridge: 'stkbdb', subnet: '10.89.1.0/24', key: 'db', internal: true },
  ],
  ports: [
    {
      service: 'web',
      container: 'demo-web-1',
      protocol: 'tcp',
      hostPort: 8080,
      containerIp: '10.89.0.2',
      containerPort: 80,
    },
    {
      service: 'dns',
      container: 'demo-dns-1',
      protocol: 'udp',
      hostIp: '127.0.0.1',
      hostPort: 5353,
      containerIp: '10.89.0.3',
      containerPort: 53,
    },
    {
      service: 'api',
      container: 'demo-api-1',
      protocol: 'tcp',
      hostIp: '0.0.0.0',
      hostPort: 9000,
      containerIp: '10.89.0.4',
      containerPort: 9000,
    },
  ],
};

describe('renderNatRuleset', () => {
  it('renders one atomic replace of the table, the DNAT rules once in a chain both NAT hooks jump to', () => {
    const web = 'fib daddr type local tcp dport 8080 dnat to 10.89.0.2:80 comment "demo/web"';
    const dns = 'fib daddr type local ip daddr 127.0.0.1 udp dport 5353 dnat to 10.89.0.3:53 comment "demo/dns"';
    const api = 'fib daddr type local tcp dport 9000 dnat to 10.89.0.4:9000 comment "demo/api"';
    expect(renderNatRuleset(spec)).toBe(`table ip stk_demo {}
delete table ip stk_demo
table ip stk_demo {
  chain loopback {
    type filter hook prerouting priority raw; policy accept;
    iifname != "lo" ip daddr 127.0.0.0/8 drop comment "demo/loopback addresses only through lo"
    iifname != "lo" ip saddr 127.0.0.0/8 drop comment "demo/loopback addresses only through lo"
  }
  chain ports {
    ${web}
    ${dns}
    ${api}
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    jump ports comment "demo/published ports"
  }
  chain output {
    type nat hook output priority -100; policy accept;
    jump ports comment "demo/published ports"
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr 10.89.0.0/24 oifname != "stkab12cd34" masquerade comment "demo/stkab12cd34"
    ip saddr 127.0.0.0/8 oifname "stkab12cd34" masquerade comment "demo/stkab12cd34"
    ct status dnat ip saddr 10.89.0.0/24 oifname "stkab12cd34" masquerade comment "demo/stkab12cd34"
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    iifname "stkab12cd34" oifname != "stkab12cd34" oifname "stkb*" ct status & dnat == 0 drop comment "demo/stkab12cd34"
    oifname "stkab12cd34" iifname != "stkab12cd34" iifname "stkb*" ct status & dnat == 0 drop comment "demo/stkab12cd34"
    iifname "stkab12cd34" accept comment "demo/stkab12cd34"
    oifname "stkab12cd34" accept comment "demo/stkab12cd34"
    iifname "stkbdb" oifname != "stkbdb" drop comment "demo/db"
    oifname "stkbdb" iifname != "stkbdb" drop comment "demo/db"
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "stkab12cd34" udp dport 53 accept comment "demo/stkab12cd34"
    iifname "stkab12cd34" tcp dport 53 accept comment "demo/stkab12cd34"
    iifname "stkbdb" udp dport 53 accept comment "demo/db"
    iifname "stkbdb" tcp dport 53 accept comment "demo/db"
  }
}
`);
  });

  it('is accepted by nft as it is (checked with nft -c, which changes nothing)', async () => {
    await runTool('nft', ['-c', '-f', '-'], renderNatRuleset(spec));
  });

  it('for a table known not to exist, is the same without the delete (a deleting transaction delays the next one), creating the table (refused where it exists after all)', async () => {
    const fresh = renderNatRuleset(spec, { fresh: true });
    expect(fresh).toBe(['create table ip stk_demo', ...renderNatRuleset(spec).split('\n').slice(2)].join('\n'));
    expect(fresh).not.toMatch(/delete/);
    expect(renderNat6Ruleset(spec, { fresh: true })).toBe('');
    await runTool('nft', ['-c', '-f', '-'], fresh);
  });

  it('rejects anything that is not a literal (nft would resolve names through DNS)', () => {
    const port = spec.ports[0]!;
    const bad: NatSpec[] = [
      { ...spec, ports: [{ ...port, containerIp: 'localhost' }] },
      { ...spec, ports: [{ ...port, containerIp: '10.89.0.256' }] },
      { ...spec, ports: [{ ...port, hostIp: 'example.com' }] },
      { ...spec, ports: [{ ...port, hostPort: 0 }] },
      { ...spec, ports: [{ ...port, containerPort: 70000 }] },
      { ...spec, ports: [{ ...port, protocol: 'sctp' as 'tcp' }] },
      { ...spec, ports: [{ ...port, service: 'x" accept; #' }] },
      { ...spec, networks: [{ bridge: 'eth0', subnet: '10.89.0.0/24' }] },
      { ...spec, networks: [{ bridge: 'stk"x', subnet: '10.89.0.0/24' }] },
      { ...spec, networks: [{ bridge: 'stkab', subnet: '10.89.0.1/24' }] },
      { ...spec, networks: [{ bridge: 'stkab', subnet: 'net/24' }] },
      { ...spec, table: 'filter' },
      { ...spec, table: 'stk_x;flush ruleset' },
      { ...spec, project: 'a\nb' },
      { ...spec, networks: [{ bridge: 'stkab', subnet: '10.89.0.0/24', key: 'a"b' }] },
    ];
    for (const s of bad) expect(() => renderNatRuleset(s), JSON.stringify(s)).toThrow();
  });

  it('accepts aligned CIDRs only', () => {
    expect(assertCidr('0.0.0.0/0')).toBe('0.0.0.0/0');
    expect(assertCidr('10.1.2.128/25')).toBe('10.1.2.128/25');
    expect(() => assertCidr('10.1.2.129/25')).toThrow(/host bits/);
    expect(() => assertCidr('10.1.2.0/33')).toThrow();
  });
});
