// Address management: a subnet for each new network that collides with nothing on the
// host, and addresses inside it. Pure arithmetic on dotted quads.

export interface Cidr {
  base: number;
  prefix: number;
}

/** Where stack picks subnets from when the file names none: 10.123.0.0/16, /24s by default. */
const POOL = { base: ipToInt('10.123.0.0'), prefix: 16, size: 24 };

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function intToIp(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

export function parseCidr(cidr: string): Cidr {
  const [ip, bits] = cidr.split('/');
  const prefix = bits === undefined ? 32 : Number(bits);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > 32) throw new Error(`not a CIDR: ${cidr}`);
  return { base: (ipToInt(ip) & mask(prefix)) >>> 0, prefix };
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const m = mask(Math.min(a.prefix, b.prefix));
  return (a.base & m) >>> 0 === (b.base & m) >>> 0;
}

export function contains(cidr: Cidr, ip: string): boolean {
  return (ipToInt(ip) & mask(cidr.prefix)) >>> 0 === cidr.base;
}

/**
 * The prefix of an automatic subnet for a network of `containers`: a /24 unless they need
 * more, then room for twice as many (so the stack can scale without a new subnet).
 */
export function subnetPrefixFor(containers: number): number {
  const hostBits = Math.ceil(Math.log2(containers * 2 + 3)); // + network, gateway, broadcast
  return Math.max(POOL.prefix, Math.min(POOL.size, 32 - hostBits));
}

/**
 * The first aligned subnet of `prefix` (a /24 by default) in the pool that overlaps none of
 * `taken`; undefined when the pool has no such room left.
 */
export function chooseSubnet(taken: string[], prefix = POOL.size): string | undefined {
  const used = taken.flatMap((t) => {
    try {
      return [parseCidr(t)];
    } catch {
      return [];
    }
  });
  const count = 2 ** (prefix - POOL.prefix);
  for (let i = 0; i < count; i++) {
    const candidate = { base: (POOL.base + i * 2 ** (32 - prefix)) >>> 0, prefix };
    if (!used.some((u) => overlaps(u, candidate))) return `${intToIp(candidate.base)}/${candidate.prefix}`;
  }
  return undefined;
}

/** The gateway is the first host address of the subnet. */
export function defaultGateway(subnet: string): string {
  return intToIp(parseCidr(subnet).base + 1);
}

/**
 * The lowest host address of `subnet` (of `range` inside it, when given: `ip_range`) that
 * is neither the gateway nor in `used`, searching from `from` on when given: a caller that
 * only adds to `used` passes the address after its last answer, so allocating n addresses
 * costs O(n) rather than O(n²).
 */
export function nextFreeAddress(
  subnet: string,
  gateway: string,
  used: Set<string>,
  range?: string,
  from?: string,
): string | undefined {
  const cidr = parseCidr(subnet);
  const last = cidr.base + 2 ** (32 - cidr.prefix) - 1; // broadcast
  const pool = range ? parseCidr(range) : cidr;
  // The first address of an ip_range is left out, like its network address would be.
  const first = Math.max(
    cidr.base + 1,
    range && pool.prefix < 31 ? pool.base + 1 : pool.base,
    from ? ipToInt(from) : 0,
  );
  const to = Math.min(last - 1, pool.base + 2 ** (32 - pool.prefix) - 1);
  for (let n = first; n <= to; n++) {
    const ip = intToIp(n);
    if (ip !== gateway && !used.has(ip)) return ip;
  }
  return undefined;
}

/** Why `ip` cannot be a container's address in `subnet` (undefined when it can). */
export function unusableAddress(subnet: string, gateway: string, ip: string): string | undefined {
  let n: number;
  try {
    n = ipToInt(ip);
  } catch {
    return 'is not an IPv4 address';
  }
  const cidr = parseCidr(subnet);
  if (!contains(cidr, ip)) return `is outside subnet ${subnet}`;
  if (ip === gateway) return 'is the gateway address';
  if (n === cidr.base) return `is the network address of ${subnet}`;
  if (cidr.prefix < 31 && n === cidr.base + 2 ** (32 - cidr.prefix) - 1) return `is the broadcast address of ${subnet}`;
  return undefined;
}

/** `10.1.2.3/16` → `10.1.0.0/16` (a user's subnet with host bits written out). */
export function normalizeCidr(cidr: string): string {
  const c = parseCidr(cidr);
  return `${intToIp(c.base)}/${c.prefix}`;
}

/**
 * The prefix length a `link_local_ips` address gets on its interface: the link-local
 * network's own (/16) for 169.254.x.y, so its neighbours are on-link, else the address
 * alone (/32), which adds no route.
 */
export function linkLocalPrefix(ip: string): number {
  return contains(parseCidr('169.254.0.0/16'), ip) ? 16 : 32;
}
