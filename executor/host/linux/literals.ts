// Validators for every value stack interpolates into `ip` and `nft` input. libnftables
// resolves any word it does not recognise as an address through getaddrinfo, so a typo would
// become a DNS query to the host's resolver, and a quote or newline could inject rules.

import { ipToInt } from '../../../model/ipam.js';
import { bigToIp6, ip6ToBig, parseCidr6 } from '../../../model/ipam6.js';
// Interface names inside a container (eth0, eth0.100, …): not stack-owned on the host, the
// charset the planner allows (a dot included, as in VLAN names), none of which ip or nft parse.
import { IFNAME } from '../../../model/network-options.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);
/** Stack-owned link names: `stk` prefix, at most 15 bytes, no characters ip/nft would parse. */
const STK_LINK = /^stk[A-Za-z0-9_-]{1,12}$/;
const STK_TABLE = /^stk_[A-Za-z0-9_]{1,60}$/;
/** Project, service and network names that end up in rule comments. */
const LABEL = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export function assertIPv4(ip: string, what = 'address'): string {
  if (typeof ip !== 'string' || !IPV4.test(ip)) throw new Error(`invalid IPv4 ${what}: ${JSON.stringify(ip)}`);
  return ip;
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
  if ((ipToInt(m[1]!) & ~mask) >>> 0 !== 0) throw new Error(`CIDR has host bits set: ${cidr}`);
  return cidr;
}

export function assertStkLink(name: string): string {
  if (typeof name !== 'string' || !STK_LINK.test(name))
    throw new Error(`not a stack link name (stk…, ≤ 15 bytes): ${JSON.stringify(name)}`);
  return name;
}

export function assertMtu(mtu: number): number {
  if (!Number.isInteger(mtu) || mtu < 68 || mtu > 65535) throw new Error(`invalid MTU: ${JSON.stringify(mtu)}`);
  return mtu;
}

export function assertIfname(name: string): string {
  if (typeof name !== 'string' || !IFNAME.test(name))
    throw new Error(`invalid interface name: ${JSON.stringify(name)}`);
  return name;
}

export function assertStkTable(name: string): string {
  if (typeof name !== 'string' || !STK_TABLE.test(name))
    throw new Error(`not a stack nft table name (stk_…): ${JSON.stringify(name)}`);
  return name;
}

export function assertPort(p: number): number {
  if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`invalid port: ${JSON.stringify(p)}`);
  return p;
}

export function label(s: string): string {
  if (typeof s !== 'string' || !LABEL.test(s)) throw new Error(`invalid name for a rule comment: ${JSON.stringify(s)}`);
  return s;
}

/** A literal IPv6 address in its canonical form; anything else throws (libnftables resolves unknown words as names). */
export function assertIPv6(ip: string, what = 'address'): string {
  try {
    const canonical = bigToIp6(ip6ToBig(ip));
    if (canonical === ip) return ip;
  } catch {
    // fall through
  }
  throw new Error(`invalid IPv6 ${what}: ${JSON.stringify(ip)}`);
}

/** A literal IPv6 CIDR with no host bits. */
export function assertCidr6(cidr: string): string {
  let canonical: string | undefined;
  try {
    const c = parseCidr6(cidr);
    canonical = `${bigToIp6(c.base)}/${c.prefix}`;
  } catch {
    // fall through
  }
  if (canonical !== cidr) throw new Error(`invalid IPv6 CIDR: ${JSON.stringify(cidr)}`);
  return cidr;
}
