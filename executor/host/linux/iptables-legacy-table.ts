// iptables-legacy's filter table read in-process: the two getsockopt calls that
// `iptables-legacy -S` itself makes (through libip4tc) on a raw socket, instead of starting
// it: ~0.1 ms where the process cost a NAT step ~4 ms (and ~12 ms as a supervisor's first).
// Hosts where docker or podman once ran with the legacy backend keep such a table, mostly
// empty. What the scan needs from it: which of INPUT and FORWARD drop (the same test
// droppingLegacyChains makes on `-S`), whether DOCKER-USER exists, and the comments of its
// rules, to tell whether one may be a stack's (then the listing runs: taking a rule out
// goes through `-D` with the rule's text).
//
// The layout is the kernel's (linux/netfilter_ipv4/ip_tables.h, x_tables.h), the same on
// x86-64 and arm64: a table is a run of `struct ipt_entry`, each with its matches and its
// target. A built-in chain runs from its hook entry to its underflow entry, whose target
// is the policy; a user chain starts with an ERROR target that names it.

import fs from 'node:fs';
import type { DroppingChain } from './firewall-chains.js';
import { getsockopt, socket, SOCK } from './libc.js';
import { SyscallError } from './syscall-error.js';

const AF_INET = 2;
const IPPROTO_IP = 0;
const IPPROTO_RAW = 255;
const IPT_SO_GET_INFO = 64;
const IPT_SO_GET_ENTRIES = 65;
/** struct ipt_getinfo: name[32], valid_hooks, hook_entry[5], underflow[5], num_entries, size. */
const INFO = { SIZE: 84, VALID_HOOKS: 32, HOOK_ENTRY: 36, UNDERFLOW: 56, SIZE_FIELD: 80 } as const;
/** struct ipt_get_entries: name[32], size, then the entries at 8-byte alignment. */
const ENTRIES_HEADER = 40;
/** struct ipt_entry: struct ipt_ip (84 bytes), nfcache, target_offset, next_offset, comefrom, counters. */
const ENTRY = { IP: 84, TARGET_OFFSET: 88, NEXT_OFFSET: 90, SIZE: 112 } as const;
/** struct xt_entry_match / xt_entry_target: u16 size, char name[29], u8 revision, then the data. */
const PART = { NAME: 2, NAME_LEN: 29, DATA: 32 } as const;
/** The standard target's verdict for DROP (-NF_DROP - 1). */
const VERDICT_DROP = -1;
const HOOKS = [
  ['INPUT', 'input', 1],
  ['FORWARD', 'forward', 2],
] as const;
const DOCKER_USER = 'DOCKER-USER';

export interface LegacyFilter {
  /** INPUT and FORWARD where they drop, as droppingLegacyChains gives them. */
  chains: DroppingChain[];
  /** The text of every `-m comment` in the table. */
  comments: string[];
}

interface Entry {
  offset: number;
  /** No address, interface, protocol or flag: `-A CHAIN` with nothing before its matches. */
  matchesAll: boolean;
  matches: { name: string; data: Buffer }[];
  /** '' for the standard target (a verdict or a jump), else its name (ERROR, REJECT, …). */
  target: string;
  data: Buffer;
}

const cString = (b: Buffer) => b.toString('latin1').replace(/\0.*$/s, '');

function entries(blob: Buffer): Entry[] {
  const out: Entry[] = [];
  for (let off = 0; off + ENTRY.SIZE <= blob.length;) {
    const targetAt = off + blob.readUInt16LE(off + ENTRY.TARGET_OFFSET);
    const next = blob.readUInt16LE(off + ENTRY.NEXT_OFFSET);
    if (next < ENTRY.SIZE || targetAt + PART.DATA > off + next || off + next > blob.length)
      throw new Error(`a malformed ipt_entry at ${off}`);
    const matches: Entry['matches'] = [];
    for (let m = off + ENTRY.SIZE; m + PART.DATA <= targetAt;) {
      const size = blob.readUInt16LE(m);
      if (size < PART.DATA || m + size > targetAt) throw new Error(`a malformed match at ${m}`);
      matches.push({
        name: cString(blob.subarray(m + PART.NAME, m + PART.NAME + PART.NAME_LEN)),
        data: blob.subarray(m + PART.DATA, m + size),
      });
      m += size;
    }
    out.push({
      offset: off,
      matchesAll: blob.subarray(off, off + ENTRY.IP).every((b) => b === 0),
      matches,
      target: cString(blob.subarray(targetAt + PART.NAME, targetAt + PART.NAME + PART.NAME_LEN)),
      data: blob.subarray(targetAt + PART.DATA, off + next),
    });
    off += next;
  }
  return out;
}

const isDrop = (e: Entry) => e.target === '' && e.data.length >= 4 && e.data.readInt32LE(0) === VERDICT_DROP;

/** The table from its ipt_getinfo and its entries (pure; exported for the tests). */
export function parseLegacyFilter(info: Buffer, blob: Buffer): LegacyFilter {
  const all = entries(blob);
  const at = new Map(all.map((e, i) => [e.offset, i]));
  const dockerUser = all.some((e) => e.target === 'ERROR' && cString(e.data) === DOCKER_USER);
  const chains: DroppingChain[] = [];
  for (const [chain, hook, n] of HOOKS) {
    if (!(info.readUInt32LE(INFO.VALID_HOOKS) & (1 << n))) continue;
    const first = info.readUInt32LE(INFO.HOOK_ENTRY + 4 * n);
    const policyAt = at.get(info.readUInt32LE(INFO.UNDERFLOW + 4 * n));
    if (policyAt === undefined) throw new Error(`no entry at ${chain}'s underflow`);
    const last = policyAt > 0 && all[policyAt - 1]!.offset >= first ? all[policyAt - 1] : undefined;
    // `-A CHAIN -j DROP` or `-j REJECT` with any --reject-with: nothing before the target.
    const dropsAll = last && last.matchesAll && last.matches.length === 0 && (isDrop(last) || last.target === 'REJECT');
    const drops = isDrop(all[policyAt]!) ? 'policy' : dropsAll ? 'last rule' : undefined;
    if (!drops) continue;
    const acceptIn = chain === 'FORWARD' && dockerUser ? DOCKER_USER : chain;
    chains.push({ backend: 'iptables-legacy', family: 'ip', table: 'filter', chain, hook, drops, acceptIn });
  }
  const comments = all.flatMap((e) => e.matches.filter((m) => m.name === 'comment').map((m) => cString(m.data)));
  return { chains, comments };
}

/** getsockopt of the filter table; EAGAIN when it changed between the two calls. */
function readTable(fd: number): { info: Buffer; blob: Buffer } {
  const info = Buffer.alloc(INFO.SIZE);
  info.write('filter');
  getsockopt(fd, IPPROTO_IP, IPT_SO_GET_INFO, info);
  const size = info.readUInt32LE(INFO.SIZE_FIELD);
  const request = Buffer.alloc(ENTRIES_HEADER + size);
  request.write('filter');
  request.writeUInt32LE(size, 32);
  getsockopt(fd, IPPROTO_IP, IPT_SO_GET_ENTRIES, request);
  return { info, blob: request.subarray(ENTRIES_HEADER) };
}

/**
 * The filter table of iptables-legacy in the calling thread's network namespace, or
 * undefined when it cannot be read this way (the caller then lists it with the tool).
 */
export function readLegacyFilter(): LegacyFilter | undefined {
  let fd: number;
  try {
    fd = socket(AF_INET, SOCK.RAW | SOCK.CLOEXEC, IPPROTO_RAW);
  } catch {
    return undefined;
  }
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const { info, blob } = readTable(fd);
        return parseLegacyFilter(info, blob);
      } catch (e) {
        if (!(e instanceof SyscallError && e.code === 'EAGAIN')) return undefined;
      }
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
