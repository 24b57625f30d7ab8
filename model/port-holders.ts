// Who already holds a host port: a program's socket, or another stack's DNAT rule (a rule
// holds no socket, so only that stack's NAT record shows it). The check of fixed ports and
// the choice of a port from a range both ask here, so "taken" means the same everywhere.
// Addresses meet when either side is a wildcard or both are the same address: a DNAT rule
// for 127.0.0.1 and one for 127.0.0.2 on the same port do not clash.

import type { ForeignPort, Observed } from './observed.js';
import type { PortRule } from './plan.js';

export interface HostPortKey {
  protocol: 'tcp' | 'udp';
  port: number;
  /** undefined: every host address. */
  hostIp?: string;
}

export interface PortHolder {
  /** How it holds the port: `taken by pid 4321 (nginx) on 0.0.0.0`, `published by stack shop (service web)`. */
  what: string;
  /** What would free it: `stop that program`, `stop stack shop`. */
  fix: string;
}

interface Entry {
  ip: string;
  holder: PortHolder;
  /** Lower is named first: a program with a known pid, then an unknown one, another stack, this one. */
  rank: number;
}

const WILDCARDS = new Set(['0.0.0.0', '::']);

/** `::ffff:127.0.0.1` is 127.0.0.1 for the purpose of a clash. */
const plain = (ip: string): string =>
  ip.toLowerCase().startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip.toLowerCase();

function addressesMeet(a: string, b: string): boolean {
  const [x, y] = [plain(a), plain(b)];
  return WILDCARDS.has(x) || WILDCARDS.has(y) || x === y;
}

const slot = (protocol: string, port: number) => `${protocol}/${port}`;

export class PortHolders {
  private readonly byPort = new Map<string, Entry[]>();

  constructor(observed: Observed) {
    for (const l of observed.hostPorts) {
      const who = l.pid === undefined ? 'another program' : `pid ${l.pid}${l.command ? ` (${l.command})` : ''}`;
      this.add(l, l.ip, { what: `taken by ${who} on ${l.ip}`, fix: 'stop that program' }, l.pid === undefined ? 1 : 0);
    }
    for (const r of observed.foreignPorts ?? []) {
      const on = r.hostIp ? ` on ${r.hostIp}` : '';
      const holder = r.oneOff
        ? { what: `published by one-off ${r.oneOff} of stack ${r.project}${on}`, fix: `stop ${r.oneOff}` }
        : { what: `published by stack ${r.project} (service ${r.service})${on}`, fix: `stop stack ${r.project}` };
      this.add(r, r.hostIp ?? '0.0.0.0', holder, 2);
    }
  }

  /** Who holds `key`, or undefined when it is free. */
  holderOf(key: HostPortKey): PortHolder | undefined {
    const ip = key.hostIp ?? '0.0.0.0';
    const meeting = (this.byPort.get(slot(key.protocol, key.port)) ?? []).filter((e) => addressesMeet(e.ip, ip));
    return meeting.sort((a, b) => a.rank - b.rank)[0]?.holder;
  }

  /** Records a port this stack publishes in the plan being made, so later choices skip it. */
  reserve(key: HostPortKey, holder: PortHolder): void {
    this.add(key, key.hostIp ?? '0.0.0.0', holder, 3);
  }

  private add(key: { protocol: string; port: number }, ip: string, holder: PortHolder, rank: number): void {
    const k = slot(key.protocol, key.port);
    this.byPort.set(k, [...(this.byPort.get(k) ?? []), { ip, holder, rank }]);
  }
}

/** `8080/tcp`, `127.0.0.1:5000-5010/tcp`, `[::1]:8080/udp`: a host port as a user writes it. */
export function portText(hostIp: string | undefined, port: string, protocol: string): string {
  const ip = hostIp === undefined ? '' : hostIp.includes(':') ? `[${hostIp}]:` : `${hostIp}:`;
  return `${ip}${port}/${protocol}`;
}

/** The host port a DNAT rule holds, as other stacks see it (without the stack's name). */
export function heldPort(r: PortRule): Omit<ForeignPort, 'project'> {
  return { protocol: r.protocol, port: r.hostPort, ...(r.hostIp ? { hostIp: r.hostIp } : {}), service: r.service };
}
