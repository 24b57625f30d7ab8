// Address management: a subnet for each new network that collides with nothing on the
// host, and addresses inside it. Pure arithmetic on dotted quads.

export interface Cidr {
  base: number;
  prefix: number;
}

/** Where stack picks subnets from when the file names none: 10.123.0.0/16 in /24s. */
const POOL = { base: ipToInt('10.123.0.0'), prefix: 16, size: 24 };

export function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0;
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
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
  return ((a.base & m) >>> 0) === ((b.base & m) >>> 0);
}

export function contains(cidr: Cidr, ip: string): boolean {
  return ((ipToInt(ip) & mask(cidr.prefix)) >>> 0) === cidr.base;
}

/** The first /24 of the pool that overlaps none of `taken`; undefined when the pool is full. */
export function chooseSubnet(taken: string[]): string | undefined {
  const used = taken.flatMap((t) => {
    try {
      return [parseCidr(t)];
    } catch {
      return [];
    }
  });
  const count = 2 ** (POOL.size - POOL.prefix);
  for (let i = 0; i < count; i++) {
    const candidate = { base: (POOL.base + i * 2 ** (32 - POOL.size)) >>> 0, prefix: POOL.size };
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
 * is neither the gateway nor in `used`.
 */
export function nextFreeAddress(subnet: string, gateway: string, used: Set<string>, range?: string): string | undefined {
  const cidr = parseCidr(subnet);
  const last = cidr.base + 2 ** (32 - cidr.prefix) - 1; // broadcast
  const pool = range ? parseCidr(range) : cidr;
  // The first address of an ip_range is left out, like its network address would be.
  const from = Math.max(cidr.base + 1, range && pool.prefix < 31 ? pool.base + 1 : pool.base);
  const to = Math.min(last - 1, pool.base + 2 ** (32 - pool.prefix) - 1);
  for (let n = from; n <= to; n++) {
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
