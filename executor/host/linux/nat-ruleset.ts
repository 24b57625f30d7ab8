// Pure text generation of a stack's nftables table. Everything interpolated into the
// ruleset is checked against a strict literal pattern first (literals.ts).

import type { NatSpec, PortRule } from '../../../planner/plan.js';
import { assertCidr, assertIPv4, assertPort, assertStkLink, assertStkTable, label } from './literals.js';

function dnatRule(project: string, r: PortRule): string {
  if (r.protocol !== 'tcp' && r.protocol !== 'udp') throw new Error(`invalid protocol: ${JSON.stringify(r.protocol)}`);
  // No host IP (or 0.0.0.0) means every local address, 127.0.0.1 included.
  const any = r.hostIp === undefined || r.hostIp === '0.0.0.0';
  const daddr = any ? '' : ` ip daddr ${assertIPv4(r.hostIp!, 'host IP')}`;
  return `fib daddr type local${daddr} ${r.protocol} dport ${assertPort(r.hostPort)}` +
    ` dnat to ${assertIPv4(r.containerIp, 'container IP')}:${assertPort(r.containerPort)}` +
    ` comment "${project}/${label(r.service)}"`;
}

/**
 * The whole `nft -f -` input that replaces table `ip spec.table` in one transaction: the
 * empty `table` line makes the `delete` valid whether or not the table existed.
 */
export function renderNatRuleset(spec: NatSpec): string {
  const table = assertStkTable(spec.table);
  const project = label(spec.project);
  const dnat = spec.ports.map((r) => `    ${dnatRule(project, r)}`);
  const postrouting: string[] = [];
  const forward: string[] = [];
  for (const n of spec.networks) {
    const br = assertStkLink(n.bridge);
    const subnet = assertCidr(n.subnet);
    const c = `comment "${project}/${br}"`;
    postrouting.push(
      // Egress: containers leave with the host's address.
      `    ip saddr ${subnet} oifname != "${br}" masquerade ${c}`,
      // Published ports reached from 127.0.0.1: after DNAT the source is still loopback,
      // which the container could not answer; give it the gateway address instead.
      `    ip saddr 127.0.0.0/8 oifname "${br}" masquerade ${c}`,
    );
    // Our own table must not be what blocks the stack's traffic.
    forward.push(`    iifname "${br}" accept ${c}`, `    oifname "${br}" accept ${c}`);
  }
  return [
    `table ip ${table} {}`,
    `delete table ip ${table}`,
    `table ip ${table} {`,
    `  chain prerouting {`,
    `    type nat hook prerouting priority dstnat; policy accept;`,
    ...dnat,
    `  }`,
    `  chain output {`,
    `    type nat hook output priority -100; policy accept;`,
    ...dnat,
    `  }`,
    `  chain postrouting {`,
    `    type nat hook postrouting priority srcnat; policy accept;`,
    ...postrouting,
    `  }`,
    `  chain forward {`,
    `    type filter hook forward priority filter; policy accept;`,
    ...forward,
    `  }`,
    `}`,
    '',
  ].join('\n');
}
