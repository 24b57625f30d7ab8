// Pure text generation of a stack's nftables table. Everything interpolated into the
// ruleset is checked against a strict literal pattern first: libnftables resolves any
// word it does not recognise as an address through getaddrinfo, so a typo would become a
// DNS query to the host's resolver, and a quote or newline could inject rules.

import type { NatSpec, PortRule } from '../../../planner/plan.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
/** Stack-owned link names: `stk` prefix, at most 15 bytes, no characters ip/nft would parse. */
const STK_LINK = /^stk[A-Za-z0-9_-]{1,12}$/;
/** Interface names inside a container (eth0, …): not stack-owned on the host, still plain. */
const IFNAME = /^[A-Za-z0-9_-]{1,15}$/;
const STK_TABLE = /^stk_[A-Za-z0-9_]{1,60}$/;
/** Project, service and network names that end up in rule comments. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function assertIPv4(ip: string, what = 'address'): string {
  if (typeof ip !== 'string' || !IPV4.test(ip)) throw new Error(`invalid IPv4 ${what}: ${JSON.stringify(ip)}`);
  return ip;
}

export function ipv4ToInt(ip: string): number {
  return assertIPv4(ip).split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

export function assertPrefixLength(p: number): number {
  if (!Number.isInteger(p) || p < 0 || p > 32) throw new Error(`invalid prefix length: ${JSON.stringify(p)}`);
  return p;
}

/** A literal `a.b.c.d/n` whose host bits are zero (nft would otherwise reject or mask it). */
export function assertCidr(cidr: string): string {
  const m = typeof cidr === 'string' ? /^([0-9.]+)\/(\d{1,2})$/.exec(cidr) : null;
  if (!m || !IPV4.test(m[1]!)) throw new Error(`invalid IPv4 CIDR: ${JSON.stringify(cidr)}`);
  const len = assertPrefixLength(Number(m[2]));
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  if ((ipv4ToInt(m[1]!) & ~mask) >>> 0 !== 0) throw new Error(`CIDR has host bits set: ${cidr}`);
  return cidr;
}

export function assertStkLink(name: string): string {
  if (typeof name !== 'string' || !STK_LINK.test(name)) throw new Error(`not a stack link name (stk…, ≤ 15 bytes): ${JSON.stringify(name)}`);
  return name;
}

export function assertIfname(name: string): string {
  if (typeof name !== 'string' || !IFNAME.test(name)) throw new Error(`invalid interface name: ${JSON.stringify(name)}`);
  return name;
}

export function assertStkTable(name: string): string {
  if (typeof name !== 'string' || !STK_TABLE.test(name)) throw new Error(`not a stack nft table name (stk_…): ${JSON.stringify(name)}`);
  return name;
}

function assertPort(p: number): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`invalid port: ${JSON.stringify(p)}`);
  return p;
}

function label(s: string): string {
  if (typeof s !== 'string' || !LABEL.test(s)) throw new Error(`invalid name for a rule comment: ${JSON.stringify(s)}`);
  return s;
}

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
