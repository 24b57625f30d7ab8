// nf_tables rule expressions in their netlink form, as libnftnl encodes them for `nft`
// (linux/netfilter/nf_tables.h: the NFTA_* attribute and NFT_* value names). Only what
// stack's raw tables use (fixed-resolver-table.ts). Every number the kernel reads as
// NLA_BE32 is big-endian; data (addresses, ports, names) is in the packet's byte order.
// The forms are the ones `nft --debug=netlink` shows for the same rule text: a /8 prefix is
// a 1-byte payload load and a cmp, not a load, bitwise and cmp, so the listing reads back
// the same text.

import type { NetlinkWriter } from './netlink-writer.js';

/** One expression, written as an element of NFTA_RULE_EXPRESSIONS. */
export type Expr = (w: NetlinkWriter) => void;

/** enum nft_registers: the verdict register and the first two 16-byte data registers. */
export const NFT_REG = { VERDICT: 0, R1: 1, R2: 2 } as const;
/** enum nft_meta_keys, the few used. */
export const NFT_META = { IIFNAME: 6, OIFNAME: 7, L4PROTO: 16 } as const;
/** enum nft_payload_bases. */
export const NFT_PAYLOAD = { NETWORK_HEADER: 1, TRANSPORT_HEADER: 2 } as const;
/** enum nft_cmp_ops, the two used. */
export const NFT_CMP = { EQ: 0, NEQ: 1 } as const;
/** Netfilter verdicts (linux/netfilter.h NF_DROP, NF_ACCEPT). */
export const NF_VERDICT = { DROP: 0, ACCEPT: 1 } as const;
/** enum nft_nat_types. */
export const NFT_NAT = { SNAT: 0, DNAT: 1 } as const;
/** NFPROTO_IPV4: the nfgenmsg family of an `ip` table, and a nat expression's family. */
export const NFPROTO_IPV4 = 2;

const NFTA_LIST_ELEM = 1;
const NFTA_EXPR = { NAME: 1, DATA: 2 } as const;
const NFTA_DATA = { VALUE: 1, VERDICT: 2 } as const;
const NFTA_VERDICT_CODE = 1;
const NFTA_META = { DREG: 1, KEY: 2 } as const;
const NFTA_PAYLOAD = { DREG: 1, BASE: 2, OFFSET: 3, LEN: 4 } as const;
const NFTA_CMP = { SREG: 1, OP: 2, DATA: 3 } as const;
const NFTA_IMMEDIATE = { DREG: 1, DATA: 2 } as const;
const NFTA_NAT = { TYPE: 1, FAMILY: 2, REG_ADDR_MIN: 3, REG_PROTO_MIN: 5, FLAGS: 7 } as const;
const NFTA_BITWISE = { SREG: 1, DREG: 2, LEN: 3, MASK: 4, XOR: 5 } as const;
const NFTA_COUNTER = { BYTES: 1, PACKETS: 2 } as const;
const NFTA_MATCH = { NAME: 1, REV: 2, INFO: 3 } as const;
/** NF_NAT_RANGE_PROTO_SPECIFIED: the nat expression sets the port too. */
const NF_NAT_RANGE_PROTO_SPECIFIED = 2;

/** NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { what `data` writes } }. */
function expr(w: NetlinkWriter, name: string, data: () => void): void {
  w.nest(NFTA_LIST_ELEM, () => {
    w.str(NFTA_EXPR.NAME, name);
    w.nest(NFTA_EXPR.DATA, data);
  });
}

/** An expression whose attributes are all 32-bit values, in the order given. */
const valuesExpr =
  (name: string, values: [attr: number, value: number][]): Expr =>
  (w) =>
    expr(w, name, () => {
      for (const [attr, value] of values) w.be32(attr, value);
    });

/** `meta load KEY => reg DREG`. */
export const meta = (key: number, dreg: number): Expr =>
  valuesExpr('meta', [
    [NFTA_META.KEY, key],
    [NFTA_META.DREG, dreg],
  ]);

/** `payload load LEN b @ BASE header + OFFSET => reg DREG`. */
export const payload = (base: number, offset: number, len: number, dreg: number): Expr =>
  valuesExpr('payload', [
    [NFTA_PAYLOAD.DREG, dreg],
    [NFTA_PAYLOAD.BASE, base],
    [NFTA_PAYLOAD.OFFSET, offset],
    [NFTA_PAYLOAD.LEN, len],
  ]);

/** `cmp OP reg SREG DATA`. */
export const cmp =
  (op: number, sreg: number, data: Buffer): Expr =>
  (w) =>
    expr(w, 'cmp', () => {
      w.be32(NFTA_CMP.SREG, sreg);
      w.be32(NFTA_CMP.OP, op);
      w.nest(NFTA_CMP.DATA, () => w.bytes(NFTA_DATA.VALUE, data));
    });

/** `immediate reg DREG DATA`: a value into a register (a nat expression's address or port). */
export const immediateData =
  (dreg: number, data: Buffer): Expr =>
  (w) =>
    expr(w, 'immediate', () => {
      w.be32(NFTA_IMMEDIATE.DREG, dreg);
      w.nest(NFTA_IMMEDIATE.DATA, () => w.bytes(NFTA_DATA.VALUE, data));
    });

/** `immediate reg 0 VERDICT`: the rule's verdict (NFTA_DATA_VERDICT { NFTA_VERDICT_CODE }). */
export const verdict =
  (code: number): Expr =>
  (w) =>
    expr(w, 'immediate', () => {
      w.be32(NFTA_IMMEDIATE.DREG, NFT_REG.VERDICT);
      w.nest(NFTA_IMMEDIATE.DATA, () => w.nest(NFTA_DATA.VERDICT, () => w.be32(NFTA_VERDICT_CODE, code)));
    });

/** `nat TYPE ip addr_min reg ADDR proto_min reg PROTO`: one address and one port, as `dnat to A:P` gives. */
export const natToAddressAndPort = (type: number, addrReg: number, protoReg: number): Expr =>
  valuesExpr('nat', [
    [NFTA_NAT.TYPE, type],
    [NFTA_NAT.FAMILY, NFPROTO_IPV4],
    [NFTA_NAT.REG_ADDR_MIN, addrReg],
    [NFTA_NAT.REG_PROTO_MIN, protoReg],
    [NFTA_NAT.FLAGS, NF_NAT_RANGE_PROTO_SPECIFIED],
  ]);

/** `bitwise reg DREG = (reg SREG & MASK) ^ 0`: a prefix's mask on a loaded address. */
export const bitwiseMask =
  (reg: number, mask: Buffer): Expr =>
  (w) =>
    expr(w, 'bitwise', () => {
      w.be32(NFTA_BITWISE.SREG, reg);
      w.be32(NFTA_BITWISE.DREG, reg);
      w.be32(NFTA_BITWISE.LEN, mask.length);
      w.nest(NFTA_BITWISE.MASK, () => w.bytes(NFTA_DATA.VALUE, mask));
      w.nest(NFTA_BITWISE.XOR, () => w.bytes(NFTA_DATA.VALUE, Buffer.alloc(mask.length)));
    });

/** `counter packets 0 bytes 0`. */
export const counter: Expr = (w) =>
  expr(w, 'counter', () => {
    w.be64zero(NFTA_COUNTER.BYTES);
    w.be64zero(NFTA_COUNTER.PACKETS);
  });

/** `match name NAME rev REV`: an x_tables match through nft_compat, with its info struct. */
export const xtMatch =
  (name: string, rev: number, info: Buffer): Expr =>
  (w) =>
    expr(w, 'match', () => {
      w.str(NFTA_MATCH.NAME, name);
      w.be32(NFTA_MATCH.REV, rev);
      w.bytes(NFTA_MATCH.INFO, info);
    });

/** `masq`, without a port range: its data nest is empty. */
export const masquerade: Expr = (w) => expr(w, 'masq', () => undefined);

/** An interface name as meta's IIFNAME/OIFNAME loads it: NUL-padded to IFNAMSIZ (16). */
export function ifnameData(name: string): Buffer {
  const b = Buffer.alloc(16);
  b.write(name, 'latin1');
  return b;
}

/** An IPv4 address (a validated literal) in network order. */
export const ipv4Data = (ip: string): Buffer => Buffer.from(ip.split('.').map(Number));

/** A port in network order. */
export function portData(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(port);
  return b;
}
