// Parsers for the Compose short forms: shell-like command strings, durations and port
// mappings. Each returns undefined (or throws ShellSplitError) on input it cannot read;
// validate-rules turns that into a diagnostic, normalize relies on valid input.

import type { PortMapping } from '../../model/types.js';

export class ShellSplitError extends Error {
  override name = 'ShellSplitError';
}

/** Splits a command line into argv like a POSIX shell (quotes and backslashes, no expansion). */
export function shellSplit(line: string): string[] {
  const args: string[] = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new ShellSplitError('unterminated single quote');
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        if (line[j] === '\\' && j + 1 < line.length && '$`"\\\n'.includes(line[j + 1]!)) {
          j++;
          if (line[j] !== '\n') cur += line[j];
        } else {
          cur += line[j];
        }
      }
      if (j >= line.length) throw new ShellSplitError('unterminated double quote');
      i = j;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 >= line.length) throw new ShellSplitError('trailing backslash');
      if (line[i + 1] !== '\n') ((cur += line[i + 1]), (inWord = true));
      i++;
    } else if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) args.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) args.push(cur);
  return args;
}

function portNumber(s: string | number | undefined, allowZero: boolean): number | undefined {
  if (s === undefined || s === '') return allowZero ? 0 : undefined;
  const n = typeof s === 'number' ? s : /^\d{1,5}$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n > 65535 || n < (allowZero ? 0 : 1)) return undefined;
  return n;
}

function hostIpOf(ip: string | undefined): string | undefined {
  if (!ip || ip === '0.0.0.0') return undefined;
  return ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
}

function mapping(
  hostIp: string | undefined,
  hostPort: number,
  containerPort: number,
  protocol: 'tcp' | 'udp',
): PortMapping {
  return hostIp === undefined ? { hostPort, containerPort, protocol } : { hostIp, hostPort, containerPort, protocol };
}

/** `[IP:][HOST:]CONTAINER[/tcp|udp]`; no host port gives hostPort 0 ("choose one"). */
export function parsePortString(spec: string): PortMapping | undefined {
  const [body = '', proto = 'tcp', extra] = spec.split('/');
  if (extra !== undefined || (proto !== 'tcp' && proto !== 'udp')) return undefined;
  let ip: string | undefined;
  let rest = body;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']:');
    if (close < 0) return undefined;
    ip = rest.slice(0, close + 1);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  if (ip === undefined && parts.length === 3) ip = parts.shift();
  if (parts.length > 2 || (ip !== undefined && parts.length !== 2)) return undefined;
  const containerPort = portNumber(parts[parts.length - 1], false);
  const hostPort = portNumber(parts.length === 2 ? parts[0] : undefined, true);
  if (containerPort === undefined || hostPort === undefined) return undefined;
  return mapping(hostIpOf(ip), hostPort, containerPort, proto);
}

export interface LongPort {
  target?: number | string;
  published?: number | string;
  host_ip?: string;
  protocol?: string;
}

/** Any of the three forms a `ports` entry may take; undefined if it is not readable. */
export function parsePort(entry: unknown): PortMapping | undefined {
  if (typeof entry === 'number') {
    const containerPort = portNumber(entry, false);
    return containerPort === undefined ? undefined : { hostPort: 0, containerPort, protocol: 'tcp' };
  }
  if (typeof entry === 'string') return parsePortString(entry);
  if (entry === null || typeof entry !== 'object') return undefined;
  const p = entry as LongPort;
  const containerPort = portNumber(p.target, false);
  const hostPort = portNumber(p.published, true);
  const protocol = p.protocol ?? 'tcp';
  if (containerPort === undefined || hostPort === undefined || (protocol !== 'tcp' && protocol !== 'udp'))
    return undefined;
  return mapping(hostIpOf(p.host_ip), hostPort, containerPort, protocol);
}
