// `extra_hosts` of a service or of its build: `HOST=IP` / `HOST:IP` list items or a map of
// host → address (or list of addresses); IPv6 addresses may be written in brackets.

import { stringList } from './coerce.js';
import type { ExtraHost } from '../../model/types.js';

export function extraHosts(v: unknown): ExtraHost[] {
  const unbracket = (ip: string) => (ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip);
  if (Array.isArray(v)) {
    return v.map(String).map((e) => {
      const sep = e.includes('=') ? e.indexOf('=') : e.indexOf(':');
      return { host: e.slice(0, sep), ip: unbracket(e.slice(sep + 1)) };
    });
  }
  const map = v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  return Object.entries(map).flatMap(([host, ips]) => stringList(ips).map((ip) => ({ host, ip: unbracket(ip) })));
}
