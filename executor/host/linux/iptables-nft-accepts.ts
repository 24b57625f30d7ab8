// stack's forward accepts for iptables-nft's chains (docker's DOCKER-USER), written as
// nf_tables rules by stack itself (one netlink batch, nft-batch.ts) instead of through an
// `iptables-nft-restore` process (~2.5 ms of the supervisor's main thread to spawn, 6–12 ms
// of wall for the tool: the NAT step's largest part where docker's FORWARD policy drops).
//
// The rules must be the ones iptables-nft itself would read back as the same rule: docker
// and the user keep changing that table with iptables, which refuses a table holding an
// expression it does not know (a native `ct state` is one: the x_tables `conntrack` match
// is what it reads). So each part is written in the form every iptables-nft version reads:
// interfaces as `meta` + `cmp` (the name and its NUL, or the prefix of a `+` name),
// addresses as a 4-byte `payload` load, a `bitwise` mask and a `cmp`, then the x_tables
// `conntrack` (revision 3) and `comment` matches through nft_compat, a counter, the verdict
// (test/host/coexist-iptables.test.ts checks `iptables-nft -S`, `-C` and `-D` on them).
// Rules with other parts (the input accepts' `-p udp --dport 53`, whose encoding changed
// between iptables versions) are left to the tool: nativeAccept gives undefined.

import { assertCidr } from './literals.js';
import { NetlinkSocket } from './netlink.js';
import { encodeNftBatch, insertRule, NETLINK_NETFILTER, type NftMessage } from './nft-batch.js';
import {
  bitwiseMask,
  cmp,
  counter,
  meta,
  NFT_CMP,
  NFT_META,
  NFT_PAYLOAD,
  NFT_REG,
  NFPROTO_IPV4,
  payload,
  verdict,
  xtMatch,
  type Expr,
} from './nft-expressions.js';

/** Verdicts of an immediate expression: NF_ACCEPT, NFT_RETURN. */
const VERDICTS: Record<string, number> = { ACCEPT: 1, RETURN: -5 };
/** struct xt_conntrack_mtinfo3 (linux/netfilter/xt_conntrack.h), XT_ALIGN'ed: 164 → 168 bytes. */
const CONNTRACK_INFO = { SIZE: 168, MATCH_FLAGS: 146, STATE_MASK: 150 } as const;
const XT_CONNTRACK_STATE = 1;
/** XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED / IP_CT_RELATED), XT_CONNTRACK_STATE_DNAT. */
const CT_STATES: Record<string, number> = { ESTABLISHED: 1 << 1, RELATED: 1 << 2, DNAT: 1 << 7 };
/** struct xt_comment_info: char comment[XT_MAX_COMMENT_LEN]. */
const COMMENT_INFO_SIZE = 256;
/** Offsets of the source and destination address in the IPv4 header. */
const IP_SADDR = 12;
const IP_DADDR = 16;

/** `-i NAME` / `-o NAME`: the name with its NUL, or only the prefix of a `NAME+`. */
function iface(key: number, name: string): Expr[] {
  const data = name.endsWith('+') ? Buffer.from(name.slice(0, -1), 'latin1') : Buffer.from(`${name}\0`, 'latin1');
  return [meta(key, NFT_REG.R1), cmp(NFT_CMP.EQ, NFT_REG.R1, data)];
}

/** `-s NET` / `-d NET`. */
function address(offset: number, cidr: string): Expr[] {
  const [ip, bits] = assertCidr(cidr).split('/') as [string, string];
  const mask = Buffer.alloc(4);
  mask.writeUInt32BE(Number(bits) === 0 ? 0 : (0xffffffff << (32 - Number(bits))) >>> 0);
  const net = Buffer.from(ip.split('.').map((n, i) => Number(n) & mask[i]!));
  const load = payload(NFT_PAYLOAD.NETWORK_HEADER, offset, 4, NFT_REG.R1);
  return Number(bits) === 32
    ? [load, cmp(NFT_CMP.EQ, NFT_REG.R1, net)]
    : [load, bitwiseMask(NFT_REG.R1, mask), cmp(NFT_CMP.EQ, NFT_REG.R1, net)];
}

function conntrack(states: string): Expr | undefined {
  let mask = 0;
  for (const s of states.split(',')) {
    if (CT_STATES[s] === undefined) return undefined;
    mask |= CT_STATES[s];
  }
  const info = Buffer.alloc(CONNTRACK_INFO.SIZE);
  info.writeUInt16LE(XT_CONNTRACK_STATE, CONNTRACK_INFO.MATCH_FLAGS);
  info.writeUInt16LE(mask, CONNTRACK_INFO.STATE_MASK);
  return xtMatch('conntrack', 3, info);
}

function comment(text: string): Expr {
  const info = Buffer.alloc(COMMENT_INFO_SIZE);
  info.write(text, 'latin1');
  return xtMatch('comment', 0, info);
}

/**
 * The expressions of an accept's iptables form (`-i BR -s NET -m comment --comment stk_… -j
 * ACCEPT`, as acceptRules writes it), in the order iptables-nft puts them: interfaces,
 * addresses, matches, counter, verdict. Undefined when it holds anything else.
 */
export function nativeAccept(iptables: string): Expr[] | undefined {
  const words = iptables.split(' ');
  const ifaces: Expr[] = [];
  const addresses: Expr[] = [];
  const matches: Expr[] = [];
  let target: number | undefined;
  for (let i = 0; i < words.length; i += 2) {
    const [flag, value] = [words[i], words[i + 1]];
    if (value === undefined) return undefined;
    if (flag === '-i') ifaces.push(...iface(NFT_META.IIFNAME, value));
    else if (flag === '-o') ifaces.push(...iface(NFT_META.OIFNAME, value));
    else if (flag === '-s') addresses.push(...address(IP_SADDR, value));
    else if (flag === '-d') addresses.push(...address(IP_DADDR, value));
    else if (flag === '-j' && VERDICTS[value] !== undefined && i + 2 === words.length) target = VERDICTS[value];
    else if (flag === '-m' && value === 'conntrack' && words[i + 2] === '--ctstate') {
      const m = conntrack(words[i + 3] ?? '');
      if (!m) return undefined;
      matches.push(m);
      i += 2;
    } else if (flag === '-m' && value === 'comment' && words[i + 2] === '--comment' && words[i + 3]) {
      matches.push(comment(words[i + 3]!));
      i += 2;
    } else return undefined;
  }
  if (target === undefined) return undefined;
  return [...ifaces, ...addresses, ...matches, counter, verdict(target)];
}

/**
 * Inserts the `-I CHAIN …` lines of iptablesChanges into iptables-nft's `ip filter` as one
 * nf_tables transaction, in their order (each first in its chain, as `-I` puts it). False,
 * with nothing done, when a line is not one nativeAccept writes: the caller runs the tool.
 */
export function insertNatively(lines: string[]): boolean {
  const msgs: NftMessage[] = [];
  for (const l of lines) {
    const [, chain, spec] = /^-I (\S+) (.+)$/.exec(l) ?? [];
    const exprs = spec === undefined ? undefined : nativeAccept(spec);
    if (!chain || !exprs) return false;
    msgs.push(insertRule('filter', chain, spec!, exprs));
  }
  if (msgs.length === 0) return true;
  const nl = NetlinkSocket.open(NETLINK_NETFILTER);
  try {
    nl.requestMany(encodeNftBatch(NFPROTO_IPV4, msgs));
  } finally {
    nl.close();
  }
  return true;
}
