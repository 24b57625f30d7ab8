// `ports:` and `expose:` entries → one PortMapping per container port. Ranges expand:
// `8000-8002:80-82` is three mappings; `5000-5010:5000` is one mapping whose host port is
// any free one in 5000–5010 (hostPort 5000, hostPortEnd 5010), as docker publishes it.

import type { PortMapping } from '../../model/types.js';

export type PortResult = { ok: true; ports: PortMapping[] } | { ok: false; why: string };

interface Range {
  start: number;
  end: number;
}

function range(s: string | number | undefined, allowZero: boolean): Range | undefined | 'bad' {
  if (s === undefined || s === '') return undefined;
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(String(s));
  if (!m) return 'bad';
  const start = Number(m[1]);
  const end = m[2] === undefined ? start : Number(m[2]);
  if (start > 65535 || end > 65535 || start < (allowZero ? 0 : 1)) return 'bad';
  return { start, end };
}

function hostIpOf(ip: string | undefined): string | undefined {
  if (!ip || ip === '0.0.0.0') return undefined;
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}

const RANGE_WORDS = 'port numbers must be between 1 and 65535';

function expand(
  hostIp: string | undefined,
  host: Range | undefined,
  container: Range,
  protocol: 'tcp' | 'udp',
  name?: string,
): PortResult {
  if (container.end < container.start || (host && host.end < host.start))
    return { ok: false, why: 'a range must go from the lower port to the higher one' };
  const one = (hostPort: number, containerPort: number, hostPortEnd?: number): PortMapping => {
    const p: PortMapping = { hostPort, containerPort, protocol };
    if (hostIp !== undefined) p.hostIp = hostIp;
    if (hostPortEnd !== undefined && hostPortEnd !== hostPort) p.hostPortEnd = hostPortEnd;
    if (name !== undefined) p.name = name;
    return p;
  };
  const count = container.end - container.start + 1;
  if (count === 1) return { ok: true, ports: [one(host?.start ?? 0, container.start, host?.end)] };
  if (host && host.start !== 0 && host.end - host.start + 1 !== count) {
    return {
      ok: false,
      why: `the host range has ${host.end - host.start + 1} ports but the container range has ${count}`,
    };
  }
  const ports: PortMapping[] = [];
  for (let i = 0; i < count; i++) ports.push(one(host && host.start !== 0 ? host.start + i : 0, container.start + i));
  return { ok: true, ports };
}

/** `[IP:][HOST[-END]:]CONTAINER[-END][/tcp|udp]`. */
function fromString(spec: string): PortResult {
  const [body = '', proto = 'tcp', extra] = spec.split('/');
  if (extra !== undefined || (proto !== 'tcp' && proto !== 'udp'))
    return { ok: false, why: 'the protocol must be tcp or udp' };
  let ip: string | undefined;
  let rest = body;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:');
    if (close < 0) return { ok: false, why: 'an IPv6 host address must be written [ADDR]:' };
    ip = rest.slice(0, close + 1);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  if (ip === undefined && parts.length === 3) ip = parts.shift();
  if (parts.length > 2 || (ip !== undefined && parts.length !== 2))
    return { ok: false, why: 'expected [IP:][HOST:]CONTAINER' };
  const container = range(parts[parts.length - 1], false);
  const host = range(parts.length === 2 ? parts[0] : undefined, true);
  if (container === undefined || container === 'bad' || host === 'bad') return { ok: false, why: RANGE_WORDS };
  return expand(hostIpOf(ip), host, container, proto);
}

/** Any of the forms a `ports` entry may take. */
export function parsePorts(entry: unknown): PortResult {
  if (typeof entry === 'number') return fromString(String(entry));
  if (typeof entry === 'string') return fromString(entry);
  if (entry === null || typeof entry !== 'object')
    return { ok: false, why: 'expected a number, a string or a mapping' };
  const p = entry as { target?: unknown; published?: unknown; host_ip?: unknown; protocol?: unknown; name?: unknown };
  const container = range(p.target as string, false);
  const host = range(p.published as string, true);
  const protocol = p.protocol ?? 'tcp';
  if (container === undefined || container === 'bad' || host === 'bad') return { ok: false, why: RANGE_WORDS };
  if (protocol !== 'tcp' && protocol !== 'udp') return { ok: false, why: 'the protocol must be tcp or udp' };
  return expand(
    hostIpOf(p.host_ip as string | undefined),
    host,
    container,
    protocol,
    typeof p.name === 'string' ? p.name : undefined,
  );
}

/** `expose` entries as `PORT[-END]/proto`. */
export function exposeEntry(entry: unknown): string {
  const s = String(entry);
  return s.includes('/') ? s : `${s}/tcp`;
}
