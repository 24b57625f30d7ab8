// An nf_tables transaction in its raw netlink form, for tables too small and too often made
// to be worth a libnftables context (fixed-resolver.ts: one per container). The messages go
// as one nfnetlink batch (NFNL_MSG_BATCH_BEGIN … NFNL_MSG_BATCH_END) in one send(2): the
// kernel applies all of them or none, as `nft -f` does. Each message asks for an ack, so a
// refused one is named in the error (linux/netfilter/nf_tables.h, nfnetlink.h for the names).

import { NLM_F, type NlRequest } from './netlink.js';
import { NetlinkWriter } from './netlink-writer.js';
import type { Expr } from './nft-expressions.js';

export const NETLINK_NETFILTER = 12;
export const NFNL_SUBSYS_NFTABLES = 10;

/** enum nf_tables_msg_types, the ones used. */
const NFT_MSG = { NEWTABLE: 0, NEWCHAIN: 3, NEWRULE: 6, DELRULE: 8 } as const;
const NFNL_MSG_BATCH_BEGIN = 16;
const NFNL_MSG_BATCH_END = 17;
const NFTA_TABLE = { NAME: 1, FLAGS: 2 } as const;
const NFTA_CHAIN = { TABLE: 1, NAME: 3, HOOK: 4, POLICY: 5, TYPE: 7 } as const;
const NFTA_HOOK = { HOOKNUM: 1, PRIORITY: 2 } as const;
const NFTA_RULE = { TABLE: 1, CHAIN: 2, EXPRESSIONS: 4 } as const;

/** struct nfgenmsg: family, version (NFNETLINK_V0), resource id (big-endian). */
function nfgenmsg(family: number, resId = 0): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt8(family, 0);
  b.writeUInt16BE(resId, 2);
  return b;
}

/** One message of the batch: its type within nf_tables, flags and what writes its attributes. */
export interface NftMessage {
  /** How an error names it: `NFT_MSG_NEWRULE stk_resolver output: ip daddr … dnat to …`. */
  what: string;
  type: number;
  flags: number;
  attrs: (w: NetlinkWriter) => void;
}

/** `add table NAME`: made if missing, kept if there. */
export const addTable = (table: string): NftMessage => ({
  what: `NFT_MSG_NEWTABLE ${table}`,
  type: NFT_MSG.NEWTABLE,
  flags: NLM_F.CREATE,
  attrs: (w) => {
    w.str(NFTA_TABLE.NAME, table);
    w.be32(NFTA_TABLE.FLAGS, 0);
  },
});

/** `flush table`: NFT_MSG_DELRULE naming only the table takes out the rules of all its chains. */
export const flushTable = (table: string): NftMessage => ({
  what: `NFT_MSG_DELRULE ${table} (flush table)`,
  type: NFT_MSG.DELRULE,
  flags: 0,
  attrs: (w) => w.str(NFTA_RULE.TABLE, table),
});

/** A base chain: its NF_INET_* hook, priority, type (`filter`, `nat`) and policy verdict. */
export interface BaseChain {
  name: string;
  type: 'filter' | 'nat';
  hook: number;
  priority: number;
  policy: number;
}

/** `add chain` of a base chain: an existing one with the same hook is kept, its policy set. */
export const addBaseChain = (table: string, c: BaseChain): NftMessage => ({
  what: `NFT_MSG_NEWCHAIN ${table} ${c.name}`,
  type: NFT_MSG.NEWCHAIN,
  flags: NLM_F.CREATE,
  attrs: (w) => {
    w.str(NFTA_CHAIN.TABLE, table);
    w.str(NFTA_CHAIN.NAME, c.name);
    w.str(NFTA_CHAIN.TYPE, c.type);
    w.be32(NFTA_CHAIN.POLICY, c.policy);
    w.nest(NFTA_CHAIN.HOOK, () => {
      w.be32(NFTA_HOOK.HOOKNUM, c.hook);
      w.be32(NFTA_HOOK.PRIORITY, c.priority);
    });
  },
});

/** A new rule: appended (NLM_F_APPEND), or without it put first in the chain, as `insert rule` and `iptables -I` do. */
const newRule = (
  where: 'append' | 'insert',
  table: string,
  chain: string,
  text: string,
  exprs: Expr[],
): NftMessage => ({
  what: `NFT_MSG_NEWRULE ${table} ${chain}: ${text}`,
  type: NFT_MSG.NEWRULE,
  flags: NLM_F.CREATE | (where === 'append' ? NLM_F.APPEND : 0),
  attrs: (w) => {
    w.str(NFTA_RULE.TABLE, table);
    w.str(NFTA_RULE.CHAIN, chain);
    w.nest(NFTA_RULE.EXPRESSIONS, () => {
      for (const e of exprs) e(w);
    });
  },
});

/** `add rule`: at the end of the chain. */
export const appendRule = (table: string, chain: string, text: string, exprs: Expr[]): NftMessage =>
  newRule('append', table, chain, text, exprs);

/** `insert rule`: first in the chain (rules inserted in one batch end up in reverse order). */
export const insertRule = (table: string, chain: string, text: string, exprs: Expr[]): NftMessage =>
  newRule('insert', table, chain, text, exprs);

/**
 * The messages, for tables of `family`, as the requests of one batch: BATCH_BEGIN, each
 * message with NLM_F_ACK, BATCH_END. NetlinkSocket.requestMany on a NETLINK_NETFILTER
 * sends them in one datagram: all applied, or a NetlinkError named after the first message
 * the kernel refused, and nothing applied. Encoded once, a batch can be sent any number of
 * times, each send a transaction of its own.
 */
export function encodeNftBatch(family: number, msgs: NftMessage[]): NlRequest[] {
  const w = new NetlinkWriter();
  const header = nfgenmsg(family);
  const batchMark = (what: string, type: number): NlRequest => ({
    what,
    type,
    flags: 0,
    payload: nfgenmsg(0, NFNL_SUBSYS_NFTABLES), // AF_UNSPEC; res_id names the subsystem
  });
  return [
    batchMark('the nf_tables batch (its commit)', NFNL_MSG_BATCH_BEGIN),
    ...msgs.map((m) => {
      w.raw(header);
      m.attrs(w);
      return {
        what: m.what,
        type: (NFNL_SUBSYS_NFTABLES << 8) | m.type,
        flags: m.flags | NLM_F.ACK,
        payload: w.take(),
      };
    }),
    batchMark('the nf_tables batch (its end)', NFNL_MSG_BATCH_END),
  ];
}
