// IPv6 address management, as model/ipam.ts does for IPv4: subnets, the gateway (the first
// address), container addresses, and a unique local (ULA, RFC 4193) /64 for a network
// that enables IPv6 without naming a subnet, as docker does. Pure BigInt arithmetic;
// addresses come out in the RFC 5952 form (`fd00:1::2`), so equal addresses compare equal
// as strings.

import { sha256Hex } from './sha256.js';

export interface Cidr6 {
  base: bigint;
  prefix: number;
}

const BITS = 128n;
const ALL = (1n << BITS) - 1n;

/** `fd00::1` → its 128-bit value; throws on anything that is not an IPv6 address. */
export function ip6ToBig(ip: string): bigint {
  if (typeof ip !== 'string' || !/^[0-9A-Fa-f:]+$/.test(ip) || ip.includes(':::') || ip.split('::').length > 2)
    throw new Error(`not an IPv6 address: ${JSON.stringify(ip)}`);
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  if ((tail === undefined && missing !== 0) || (tail !== undefined && missing < 1))
    throw new Error(`not an IPv6 address: ${JSON.stringify(ip)}`);
  const all = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  let n = 0n;
  for (const g of all) {
    if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) throw new Error(`not an IPv6 address: ${JSON.stringify(ip)}`);
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

/** The RFC 5952 text of a 128-bit value: lowercase, the longest run of two or more zero groups as `::`. */
export function bigToIp6(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}

export const isIpv6 = (ip: string): boolean => {
  try {
    ip6ToBig(ip);
    return true;
  } catch {
    return false;
  }
};

/** `fd00:1::/64` → its base (host bits cleared) and prefix length. */
export function parseCidr6(cidr: string): Cidr6 {
  const [ip, bits, extra] = String(cidr).split('/');
  const prefix = Number(bits);
  if (extra !== undefined || !/^\d{1,3}$/.test(bits ?? '') || prefix > 128)
    throw new Error(`not an IPv6 CIDR: ${cidr}`);
  return { base: ip6ToBig(ip!) & mask6(prefix), prefix };
}

function mask6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << (BITS - BigInt(prefix))) & ALL;
}

export function normalizeCidr6(cidr: string): string {
  const c = parseCidr6(cidr);
  return `${bigToIp6(c.base)}/${c.prefix}`;
}

export function contains6(cidr: Cidr6, ip: string): boolean {
  return (ip6ToBig(ip) & mask6(cidr.prefix)) === cidr.base;
}

export function overlaps6(a: Cidr6, b: Cidr6): boolean {
  const m = mask6(Math.min(a.prefix, b.prefix));
  return (a.base & m) === (b.base & m);
}

/** The gateway is the first address after the subnet's own (its Subnet-Router anycast address). */
export function defaultGateway6(subnet: string): string {
  return bigToIp6(parseCidr6(subnet).base + 1n);
}

/** `fd00::5` in its RFC 5952 form, so a file's spelling and a record's compare equal. */
export const canonicalIp6 = (ip: string): string => bigToIp6(ip6ToBig(ip));

/**
 * The lowest address of `subnet` after the gateway that is neither the gateway nor in
 * `used`, from `from` on when given (as ipam.ts nextFreeAddress); undefined when the
 * subnet is full. IPv6 has no broadcast address: the last one is a host's too.
 */
export function nextFreeAddress6(
  subnet: string,
  gateway: string,
  used: Set<string>,
  from?: string,
): string | undefined {
  const cidr = parseCidr6(subnet);
  const last = cidr.base | (~mask6(cidr.prefix) & ALL);
  const gw = ip6ToBig(gateway);
  let n = from === undefined ? cidr.base + 1n : ip6ToBig(from);
  if (n <= cidr.base) n = cidr.base + 1n;
  for (; n <= last; n++) {
    const ip = bigToIp6(n);
    if (n !== gw && !used.has(ip)) return ip;
  }
  return undefined;
}

/** The address after `ip`, where the next search starts. */
export const nextIp6 = (ip: string): string => bigToIp6(ip6ToBig(ip) + 1n);

/** Why `ip` cannot be a container's IPv6 address in `subnet` (undefined when it can). */
export function unusableAddress6(subnet: string, gateway: string, ip: string): string | undefined {
  if (!isIpv6(ip)) return 'is not an IPv6 address';
  const cidr = parseCidr6(subnet);
  if (!contains6(cidr, ip)) return `is outside subnet ${subnet}`;
  if (ip6ToBig(ip) === ip6ToBig(gateway)) return 'is the gateway address';
  if (ip6ToBig(ip) === cidr.base) return `is the Subnet-Router anycast address of ${subnet}`;
  return undefined;
}

/**
 * A /64 of unique local addresses for a network that enables IPv6 without a subnet: the
 * /48 `fd` + 40 bits of a digest of `seed` (the project, so a stack's networks share one
 * /48 and two stacks almost never meet), and the first subnet id in it that overlaps none
 * of `taken` (entries that are not IPv6 CIDRs are skipped). Docker picks a ULA /64 the
 * same way, from a /48 of its own host's.
 */
export function chooseUlaSubnet(seed: string, taken: readonly string[]): string | undefined {
  const used = taken.flatMap((t) => {
    try {
      return [parseCidr6(t)];
    } catch {
      return [];
    }
  });
  const globalId = BigInt(`0x${sha256Hex(seed).slice(0, 10)}`);
  const site = (0xfdn << 120n) | (globalId << 80n);
  for (let id = 0n; id < 0x10000n; id++) {
    const candidate = { base: site | (id << 64n), prefix: 64 };
    if (!used.some((u) => overlaps6(u, candidate))) return `${bigToIp6(candidate.base)}/64`;
  }
  return undefined;
}
