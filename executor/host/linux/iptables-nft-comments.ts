// The comments of the rules in iptables-nft's `ip filter` table, read from nf_tables itself
// (one rule dump on a netfilter netlink socket) instead of an `iptables-nft -S` process. The
// accepts stack puts there carry `-m comment --comment stk_…`, which iptables-nft stores as
// an xt `comment` match: nft's JSON listing names such a match but not its text, so without
// this every NAT step on a host with podman's or ufw's commented rules started a listing
// (~12 ms for a supervisor's first process). The text sits in the match's info, a
// `struct xt_comment_info { char comment[256]; }` (linux/netfilter/xt_comment.h).

import { NETLINK_NETFILTER, NFNL_SUBSYS_NFTABLES } from './nft-batch.js';
import { findAttr, NetlinkSocket, strAttr } from './netlink.js';
import { align4 } from './netlink-writer.js';

const NFT_MSG = { NEWRULE: 6, GETRULE: 7 } as const;
const NFPROTO_IPV4 = 2;
const NFTA_RULE = { TABLE: 1, CHAIN: 2, HANDLE: 3, EXPRESSIONS: 4 } as const;
const NFTA_LIST_ELEM = 1;
const NFTA_EXPR = { NAME: 1, DATA: 2 } as const;
const NFTA_MATCH = { NAME: 1, INFO: 3 } as const;
const NFGENMSG = 4;

const cString = (b: Buffer) => b.toString('utf8').replace(/\0.*$/s, '');

/** The payloads of every attribute of `type` in `buf` (a nested list repeats its element type). */
function allAttrs(buf: Buffer, type: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off + 4 <= buf.length;) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    if ((buf.readUInt16LE(off + 2) & 0x3fff) === type) out.push(buf.subarray(off + 4, off + len));
    off += align4(len);
  }
  return out;
}

/** A rule's xt `comment` text, if it has that match. */
function xtComment(expressions: Buffer): string | undefined {
  for (const e of allAttrs(expressions, NFTA_LIST_ELEM)) {
    const name = findAttr(e, 0, NFTA_EXPR.NAME);
    const data = findAttr(e, 0, NFTA_EXPR.DATA);
    if (!name || !data || cString(name) !== 'match') continue;
    const match = findAttr(data, 0, NFTA_MATCH.NAME);
    const info = findAttr(data, 0, NFTA_MATCH.INFO);
    if (match && info && cString(match) === 'comment') return cString(info);
  }
  return undefined;
}

/** One NFT_MSG_NEWRULE of a dump: its chain, handle and xt comment (undefined without one). */
export function commentedRule(payload: Buffer): { table: string; chain: string; handle: number; comment?: string } {
  const at = (type: number) => findAttr(payload, NFGENMSG, type);
  const expressions = at(NFTA_RULE.EXPRESSIONS);
  const comment = expressions ? xtComment(expressions) : undefined;
  return {
    table: cString(at(NFTA_RULE.TABLE) ?? Buffer.alloc(0)),
    chain: cString(at(NFTA_RULE.CHAIN) ?? Buffer.alloc(0)),
    // A 64-bit big-endian counter per table; a double holds it exactly up to 2^53.
    handle: Number(at(NFTA_RULE.HANDLE)?.readBigUInt64BE(0) ?? -1n),
    ...(comment === undefined ? {} : { comment }),
  };
}

/**
 * `handle → comment` for the rules of `ip filter` that have an xt comment match, in the
 * calling thread's network namespace (the supervisor's main thread: the host's).
 */
export function iptablesNftComments(): Map<number, string> {
  const nl = NetlinkSocket.open(NETLINK_NETFILTER);
  try {
    const request = Buffer.concat([Buffer.from([NFPROTO_IPV4, 0, 0, 0]), strAttr(NFTA_RULE.TABLE, 'filter')]);
    const out = new Map<number, string>();
    // Consistent: a part skipped while docker changes the table would hide a marked rule.
    for (const m of nl.consistentDump(
      'NFT_MSG_GETRULE ip filter',
      (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG.GETRULE,
      request,
    )) {
      if (m.type !== ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG.NEWRULE) || m.payload.readUInt8(0) !== NFPROTO_IPV4)
        continue;
      const r = commentedRule(m.payload);
      if (r.table === 'filter' && r.comment !== undefined) out.set(r.handle, r.comment);
    }
    return out;
  } finally {
    nl.close();
  }
}
