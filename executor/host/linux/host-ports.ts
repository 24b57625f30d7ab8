// The host's listening TCP sockets and bound UDP sockets, with the program that holds each
// one. Read from /proc/self/net/{tcp,tcp6,udp,udp6}: the network namespace of this process,
// which for the CLI and the supervisor is the host's (containers' sockets live in their own
// namespaces and never show here). Owners come from mapping socket inodes through
// /proc/PID/fd symlinks (`socket:[INODE]`) and /proc/PID/comm.
//
// TCP listeners come from NETLINK_SOCK_DIAG (what `ss` uses) asking for LISTEN sockets
// only: the kernel then walks just its listening hash. /proc/net/tcp{,6} instead walks the
// whole established-connection hash (262144 buckets here, ~1.75 ms) once per 4 KiB page of
// output, so it costs ≥ 3.5 ms per file and grows with every open connection; it is the
// fallback when sock_diag is unavailable. UDP comes from /proc/net/udp{,6} (~0.03 ms).
// The owner scan is one readdir per process plus a readlink per open fd (~3.5 ms for a full
// pass over 79 processes / 400 fds here, growing with the fd count), so it runs only for
// the inodes asked for (the ports a stack publishes) and stops once every one is found:
// when nothing holds those ports it costs nothing.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import type { HostPort } from '../../../model/observed.js';
import { NETLINK_SOCK_DIAG, NetlinkSocket } from './netlink.js';

export interface HostSocket {
  protocol: 'tcp' | 'udp';
  /** Local address as text: `0.0.0.0`, `127.0.0.1`, `::`, `::1`, `::ffff:127.0.0.1`. */
  ip: string;
  port: number;
  inode: number;
}

const TCP_LISTEN = '0A';
const TABLES = [
  { file: 'tcp', protocol: 'tcp', v6: false },
  { file: 'tcp6', protocol: 'tcp', v6: true },
  { file: 'udp', protocol: 'udp', v6: false },
  { file: 'udp6', protocol: 'udp', v6: true },
] as const;

/** Listening TCP and bound, unconnected UDP sockets of this network namespace (no owners). */
export async function listHostSockets(procRoot = '/proc', opts: { netlink?: boolean } = {}): Promise<HostSocket[]> {
  let tcp: HostSocket[] | undefined;
  try {
    if (opts.netlink !== false) tcp = [...tcpListenersByNetlink(AF_INET), ...tcpListenersByNetlink(AF_INET6)];
  } catch {
    tcp = undefined; // no sock_diag (module absent, old kernel): read /proc instead
  }
  const tables = TABLES.filter((t) => !tcp || t.protocol === 'udp');
  const texts = await Promise.all(
    tables.map((t) =>
      fsp.readFile(`${procRoot}/self/net/${t.file}`, 'utf8').catch((err: NodeJS.ErrnoException) => {
        // A kernel without IPv6 has no tcp6/udp6.
        if (err.code === 'ENOENT') return '';
        throw err;
      }),
    ),
  );
  const out: HostSocket[] = [];
  const seen = new Set<string>();
  const add = (sock: HostSocket) => {
    // SO_REUSEPORT groups show one line per socket; one entry per address is enough.
    const key = `${sock.protocol} ${sock.ip} ${sock.port}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(sock);
  };
  for (const sock of tcp ?? []) add(sock);
  for (const [i, t] of tables.entries()) {
    for (const line of texts[i]!.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10) continue;
      const [local, remote, state, inodeText] = [f[1]!, f[2]!, f[3]!, f[9]!];
      if (t.protocol === 'tcp' ? state !== TCP_LISTEN : !/^0+:0000$/.test(remote)) continue;
      const [addrHex, portHex] = local.split(':') as [string, string];
      const port = parseInt(portHex, 16);
      if (!port) continue;
      add({
        protocol: t.protocol,
        ip: t.v6 ? ipv6FromProc(addrHex) : ipv4FromProc(addrHex),
        port,
        inode: Number(inodeText),
      });
    }
  }
  return out;
}

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_DIAG_BY_FAMILY = 20;
const IPPROTO_TCP = 6;
const TCP_LISTEN_STATE = 10;

/** One sock_diag dump of TCP LISTEN sockets of `family` in this network namespace. */
function tcpListenersByNetlink(family: number): HostSocket[] {
  const nl = NetlinkSocket.open(NETLINK_SOCK_DIAG);
  try {
    // inet_diag_req_v2: family, protocol, ext, pad, states, sockid (zeros: any).
    const req = Buffer.alloc(56);
    req.writeUInt8(family, 0);
    req.writeUInt8(IPPROTO_TCP, 1);
    req.writeUInt32LE(1 << TCP_LISTEN_STATE, 4);
    const out: HostSocket[] = [];
    for (const { type, payload: m } of nl.dump('SOCK_DIAG_BY_FAMILY tcp', SOCK_DIAG_BY_FAMILY, req)) {
      if (type !== SOCK_DIAG_BY_FAMILY || m.length < 72) continue;
      // inet_diag_msg: family, state, timer, retrans, sockid {sport(be16), dport, src[16], dst[16], if, cookie[8]}, expires, rqueue, wqueue, uid, inode
      const port = m.readUInt16BE(4);
      const src = m.subarray(8, 24);
      const ip = m[0] === AF_INET6 ? ipv6FromBytes([...src]) : [...src.subarray(0, 4)].join('.');
      if (m[1] === TCP_LISTEN_STATE) out.push({ protocol: 'tcp', ip, port, inode: m.readUInt32LE(68) });
    }
    return out;
  } finally {
    nl.close();
  }
}

/**
 * pid and command of a process holding each of `inodes` (the lowest pid when several share
 * a socket, e.g. forked workers). Inodes no visible process holds are absent from the map.
 */
export function socketOwners(
  inodes: Iterable<number>,
  procRoot = '/proc',
): Map<number, { pid: number; command?: string }> {
  const wanted = new Set([...inodes].filter((i) => i > 0).map((i) => `socket:[${i}]`));
  const found = new Map<number, { pid: number; command?: string }>();
  if (wanted.size === 0) return found;
  const pids = fs
    .readdirSync(procRoot)
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .sort((a, b) => a - b);
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = fs.readdirSync(`${procRoot}/${pid}/fd`);
    } catch {
      continue; // exited meanwhile, or a kernel thread
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = fs.readlinkSync(`${procRoot}/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!wanted.has(target)) continue;
      wanted.delete(target);
      found.set(Number(target.slice(8, -1)), { pid, ...commandOf(procRoot, pid) });
    }
    if (wanted.size === 0) break;
  }
  return found;
}

function commandOf(procRoot: string, pid: number): { command?: string } {
  try {
    return { command: fs.readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trim() };
  } catch {
    return {};
  }
}

/**
 * The host's listening/bound ports with their owners. With `only`, owners are looked up just
 * for sockets on those protocol/port pairs (the ones a stack publishes); every socket is
 * still listed.
 */
export async function hostPorts(
  opts: { only?: readonly { protocol: 'tcp' | 'udp'; port: number }[]; procRoot?: string } = {},
): Promise<HostPort[]> {
  const procRoot = opts.procRoot ?? '/proc';
  const sockets = await listHostSockets(procRoot);
  const only = opts.only && new Set(opts.only.map((p) => `${p.protocol}/${p.port}`));
  const owners = socketOwners(
    sockets.filter((s) => !only || only.has(`${s.protocol}/${s.port}`)).map((s) => s.inode),
    procRoot,
  );
  return sockets.map((s) => {
    const owner = owners.get(s.inode);
    return {
      protocol: s.protocol,
      ip: s.ip,
      port: s.port,
      ...(owner ? { pid: owner.pid } : {}),
      ...(owner?.command ? { command: owner.command } : {}),
    };
  });
}

/** The kernel prints each 32-bit word of an address in host byte order. */
function wordBytes(hex: string): number[] {
  const b = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return os.endianness() === 'LE' ? b.reverse() : b;
}

export function ipv4FromProc(hex: string): string {
  return wordBytes(hex).join('.');
}

export function ipv6FromProc(hex: string): string {
  return ipv6FromBytes([0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8))));
}

/** RFC 5952 text of 16 address bytes; IPv4-mapped addresses as `::ffff:a.b.c.d`. */
export function ipv6FromBytes(bytes: number[]): string {
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups = [0, 2, 4, 6, 8, 10, 12, 14].map((i) => ((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // RFC 5952: the longest run (≥ 2) of zero groups becomes `::`, the first such run on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
