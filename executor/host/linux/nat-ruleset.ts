// Pure text generation of a stack's nftables table. Everything interpolated into the
// ruleset is checked against a strict literal pattern first (literals.ts).

import type { NatSpec, PortRule } from '../../../model/plan.js';
import { assertCidr, assertIPv4, assertPort, assertStkLink, assertStkTable, label } from './literals.js';

export function dnatRule(project: string, r: PortRule): string {
  if (r.protocol !== 'tcp' && r.protocol !== 'udp') throw new Error(`invalid protocol: ${JSON.stringify(r.protocol)}`);
  // No host IP (or 0.0.0.0) means every local address, 127.0.0.1 included.
  const any = r.hostIp === undefined || r.hostIp === '0.0.0.0';
  const daddr = any ? '' : ` ip daddr ${assertIPv4(r.hostIp!, 'host IP')}`;
  return (
    `fib daddr type local${daddr} ${r.protocol} dport ${assertPort(r.hostPort)}` +
    ` dnat to ${assertIPv4(r.containerIp, 'container IP')}:${assertPort(r.containerPort)}` +
    ` comment "${project}/${label(r.service)}"`
  );
}

/** Every stack's bridge: `stkb` + hash (model/names.ts bridgeName). */
const ANY_STACK_BRIDGE = '"stkb*"';
/** Connections to a published port (DNAT) may cross networks, as with docker. */
const NOT_PUBLISHED = 'ct status & dnat == 0';

/**
 * Rules of one network. Egress: masquerade leaving it (never for `internal`). Isolation:
 * nothing forwarded between it and any other stack bridge (this stack's other networks
 * and other stacks alike) except to published ports; an internal network forwards nothing
 * in or out at all. Traffic within one bridge (which br_netfilter also shows to the
 * forward hook, as iif = oif = the bridge) stays allowed.
 */
export function networkRules(project: string, n: NatSpec['networks'][number]) {
  const br = assertStkLink(n.bridge);
  const subnet = assertCidr(n.subnet);
  const c = `comment "${project}/${n.key === undefined ? br : label(n.key)}"`;
  const q = `"${br}"`;
  const postrouting = n.internal
    ? []
    : [
        // Egress: containers leave with the host's address.
        `ip saddr ${subnet} oifname != ${q} masquerade ${c}`,
        // Published ports reached from 127.0.0.1: after DNAT the source is still loopback,
        // which the container could not answer; give it the gateway address instead.
        `ip saddr 127.0.0.0/8 oifname ${q} masquerade ${c}`,
        // Hairpin: a container reaching its own network through a published port; without
        // this the answer would go straight back, bypassing the reverse NAT.
        `ct status dnat ip saddr ${subnet} oifname ${q} masquerade ${c}`,
      ];
  const forward = n.internal
    ? [`iifname ${q} oifname != ${q} drop ${c}`, `oifname ${q} iifname != ${q} drop ${c}`]
    : [
        `iifname ${q} oifname != ${q} oifname ${ANY_STACK_BRIDGE} ${NOT_PUBLISHED} drop ${c}`,
        `oifname ${q} iifname != ${q} iifname ${ANY_STACK_BRIDGE} ${NOT_PUBLISHED} drop ${c}`,
        // Our own table must not be what blocks the stack's traffic.
        `iifname ${q} accept ${c}`,
        `oifname ${q} accept ${c}`,
      ];
  // The stack's DNS server listens on the gateway: containers must reach port 53.
  const input = [`iifname ${q} udp dport 53 accept ${c}`, `iifname ${q} tcp dport 53 accept ${c}`];
  return { postrouting, forward, input };
}

/**
 * CVE-2020-8558: route_localnet=1 on the bridges (which 127.0.0.1 publishing needs) makes the
 * kernel accept a frame a container hand-makes with CAP_NET_RAW (a default capability) for
 * the gateway's MAC and 127.0.0.1: it would reach the host's loopback services. And the
 * DNAT of a port published on 127.0.0.1 matches in prerouting, before routing could call
 * such a packet a martian, so a frame from a container or from a machine on the link
 * would reach that port. A loopback address on a packet that arrived through any device
 * but `lo` is forged (RFC 1122): drop it at priority raw, before conntrack and NAT see it.
 * The host's own 127.0.0.1 traffic comes through `lo`, and the answers of containers to
 * it arrive addressed to the gateway (masquerade), so publishing keeps working.
 */
function loopbackGuard(project: string): string[] {
  const c = `comment "${project}/loopback addresses only through lo"`;
  return [`iifname != "lo" ip daddr 127.0.0.0/8 drop ${c}`, `iifname != "lo" ip saddr 127.0.0.0/8 drop ${c}`];
}

/** The table's base chains and their rules, in the order they are written. */
function natChains(spec: NatSpec): { name: string; hook?: string; rules: string[] }[] {
  const project = label(spec.project);
  // Ports published on an IPv6 host address are the ip6 table's alone (nat6-ruleset.ts).
  const dnat = spec.ports.filter((r) => !r.hostIp?.includes(':')).map((r) => dnatRule(project, r));
  const nets = spec.networks.map((n) => networkRules(project, n));
  // The DNAT rules serve packets from outside (prerouting) and from the host itself
  // (output): written once, in a chain both jump to. libnftables costs ~45 µs per rule, so
  // a stack with 20 published ports spends ~1 ms less per change than with two copies.
  const toPorts = dnat.length > 0 ? [`jump ports comment "${project}/published ports"`] : [];
  return [
    {
      name: 'loopback',
      hook: 'type filter hook prerouting priority raw; policy accept;',
      rules: loopbackGuard(project),
    },
    { name: 'ports', rules: dnat },
    { name: 'prerouting', hook: 'type nat hook prerouting priority dstnat; policy accept;', rules: toPorts },
    { name: 'output', hook: 'type nat hook output priority -100; policy accept;', rules: toPorts },
    {
      name: 'postrouting',
      hook: 'type nat hook postrouting priority srcnat; policy accept;',
      rules: nets.flatMap((n) => n.postrouting),
    },
    {
      name: 'forward',
      hook: 'type filter hook forward priority filter; policy accept;',
      rules: nets.flatMap((n) => n.forward),
    },
    {
      name: 'input',
      hook: 'type filter hook input priority filter; policy accept;',
      rules: nets.flatMap((n) => n.input),
    },
  ];
}

/**
 * How many rules each chain of the table holds when it is as stack wrote it: observe
 * compares this with the host, so a flushed table or a deleted rule is drift, not only a
 * deleted table.
 */
export function natRuleCounts(spec: NatSpec): Record<string, number> {
  return Object.fromEntries(natChains(spec).map((c) => [c.name, c.rules.length]));
}

/**
 * The whole `nft -f -` input that replaces table `ip spec.table` in one transaction: the
 * empty `table` line makes the `delete` valid whether or not the table existed. With
 * `fresh` (the table was not there a moment ago), no delete (see nat.ts for why): `create`
 * makes the table, and refuses the whole transaction (EEXIST) if it exists after all,
 * where the rules below would otherwise be added to the ones there.
 */
export function renderNatRuleset(spec: NatSpec, { fresh = false } = {}): string {
  const table = assertStkTable(spec.table);
  const chains = natChains(spec).flatMap((c) => [
    `  chain ${c.name} {`,
    ...(c.hook ? [`    ${c.hook}`] : []),
    ...c.rules.map((r) => `    ${r}`),
    `  }`,
  ]);
  const reset = fresh ? [`create table ip ${table}`] : [`table ip ${table} {}`, `delete table ip ${table}`];
  return [...reset, `table ip ${table} {`, ...chains, `}`, ''].join('\n');
}
