// The IPv6 half of a stack's NAT, pure text like nat-ruleset.ts: table `ip6 <same name>`,
// written in the same transaction as the `ip` one and only when a network of the stack has
// IPv6 (else the same text deletes a table an earlier apply left). An `ip` table never sees
// IPv6 packets, so the ip6 table carries what IPv6 needs of the same rules:
// - masquerade of the networks' IPv6 subnets leaving them (NAT66 egress, as docker's
//   ip6tables rules do), and for hairpin connections to a published port;
// - DNAT of published ports to the container's IPv6 address: a port without host_ip (all
//   addresses, as docker publishes with ip6tables), on "::" or on one IPv6 address.
//   ::1 cannot be led into a container (the loader refuses it: rules/ports.ts);
// - isolation between stack bridges and the accepts of the networks (networkRules, whose
//   forward rules name interfaces only, so they hold for both families);
// - a guard that drops ::1 on a packet that did not come through lo.

import type { NatSpec, PortRule } from '../../../model/plan.js';
import { assertCidr6, assertIPv6, assertPort, assertStkTable, label } from './literals.js';
import { networkRules } from './nat-ruleset.js';

function dnat6Rule(project: string, r: PortRule): string | undefined {
  if (!r.containerIp6) return undefined;
  if (r.hostIp !== undefined && !r.hostIp.includes(':')) return undefined; // an IPv4 address: the ip table's
  if (r.protocol !== 'tcp' && r.protocol !== 'udp') throw new Error(`invalid protocol: ${JSON.stringify(r.protocol)}`);
  const any = r.hostIp === undefined || r.hostIp === '::';
  const daddr = any ? '' : ` ip6 daddr ${assertIPv6(r.hostIp!, 'host IP')}`;
  return (
    `fib daddr type local${daddr} ${r.protocol} dport ${assertPort(r.hostPort)}` +
    ` dnat to [${assertIPv6(r.containerIp6, 'container IP')}]:${assertPort(r.containerPort)}` +
    ` comment "${project}/${label(r.service)}"`
  );
}

function chains6(spec: NatSpec): { name: string; hook?: string; rules: string[] }[] {
  const project = label(spec.project);
  const nets = spec.networks.filter((n) => n.subnet6 !== undefined);
  const dnat = spec.ports.flatMap((r) => dnat6Rule(project, r) ?? []);
  const toPorts = dnat.length > 0 ? [`jump ports comment "${project}/published ports"`] : [];
  const postrouting = nets.flatMap((n) => {
    if (n.internal) return [];
    const subnet = assertCidr6(n.subnet6!);
    const q = `"${n.bridge}"`;
    const c = `comment "${project}/${n.key === undefined ? n.bridge : label(n.key)}"`;
    return [
      `ip6 saddr ${subnet} oifname != ${q} masquerade ${c}`,
      `ct status dnat ip6 saddr ${subnet} oifname ${q} masquerade ${c}`,
    ];
  });
  const guard = `comment "${project}/loopback addresses only through lo"`;
  return [
    {
      name: 'loopback',
      hook: 'type filter hook prerouting priority raw; policy accept;',
      rules: [`iifname != "lo" ip6 daddr ::1 drop ${guard}`, `iifname != "lo" ip6 saddr ::1 drop ${guard}`],
    },
    { name: 'ports', rules: dnat },
    { name: 'prerouting', hook: 'type nat hook prerouting priority dstnat; policy accept;', rules: toPorts },
    { name: 'output', hook: 'type nat hook output priority -100; policy accept;', rules: toPorts },
    { name: 'postrouting', hook: 'type nat hook postrouting priority srcnat; policy accept;', rules: postrouting },
    {
      name: 'forward',
      hook: 'type filter hook forward priority filter; policy accept;',
      rules: nets.flatMap((n) => networkRules(project, n).forward),
    },
  ];
}

/** Whether the stack needs an ip6 table: a network of its own with IPv6. */
export const needsNat6 = (spec: NatSpec): boolean => spec.networks.some((n) => n.subnet6 !== undefined);

/** Rule counts per chain of the ip6 table, for observe's drift check (as natRuleCounts). */
export function nat6RuleCounts(spec: NatSpec): Record<string, number> {
  return Object.fromEntries(chains6(spec).map((c) => [c.name, c.rules.length]));
}

/**
 * `nft -f -` input that replaces (or, without IPv6, removes) table `ip6 spec.table`; with
 * `fresh` (the table was not there a moment ago), only creates it where IPv6 needs it, as
 * renderNatRuleset does.
 */
export function renderNat6Ruleset(spec: NatSpec, { fresh = false } = {}): string {
  const table = assertStkTable(spec.table);
  if (fresh && !needsNat6(spec)) return '';
  const reset = fresh ? [`create table ip6 ${table}`] : [`table ip6 ${table} {}`, `delete table ip6 ${table}`];
  if (!needsNat6(spec)) return [...reset, ''].join('\n');
  const chains = chains6(spec).flatMap((c) => [
    `  chain ${c.name} {`,
    ...(c.hook ? [`    ${c.hook}`] : []),
    ...c.rules.map((r) => `    ${r}`),
    `  }`,
  ]);
  return [...reset, `table ip6 ${table} {`, ...chains, `}`, ''].join('\n');
}
