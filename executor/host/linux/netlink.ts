// Netlink framing and one request/reply socket, shared by rtnetlink (links, addresses,
// routes) and sock_diag (host ports). The kernel carries out a request inside send(2) and
// queues its replies before send returns, so a non-blocking socket reads them at once and
// a missing reply is an error, never a wait. Integers are in host byte order, which is
// little-endian on every platform stack runs on (x86-64, arm64).

import fs from 'node:fs';
import { recv, recvQueued, send, sendAsync, setsockoptInt, socket, SOCK, strerror } from './libc.js';
import { SyscallError } from './syscall-error.js';
import { align4 } from './netlink-writer.js';

export const AF_NETLINK = 16;
export const NETLINK_ROUTE = 0;
export const NETLINK_SOCK_DIAG = 4;

export const NLM_F = {
  REQUEST: 0x1,
  ACK: 0x4,
  ROOT: 0x100,
  MATCH: 0x200,
  DUMP: 0x300,
  REPLACE: 0x100,
  EXCL: 0x200,
  CREATE: 0x400,
  APPEND: 0x800,
} as const;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const NLM_F_ACK_TLVS = 0x200;
const NLMSGERR_ATTR_MSG = 1;
const SOL_NETLINK = 270;
const NETLINK_CAP_ACK = 10;
const NETLINK_EXT_ACK = 11;
const HDR = 16;

/** One attribute (rtattr/nlattr): length, type, payload, padded to 4 bytes. */
export function attr(type: number, payload: Buffer): Buffer {
  const out = Buffer.alloc(align4(4 + payload.length));
  out.writeUInt16LE(4 + payload.length, 0);
  out.writeUInt16LE(type, 2);
  payload.copy(out, 4);
  return out;
}

export const strAttr = (type: number, s: string) => attr(type, Buffer.from(`${s}\0`));
export const nestAttr = (type: number, ...attrs: Buffer[]) => attr(type, Buffer.concat(attrs));
export function u32Attr(type: number, n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return attr(type, b);
}

/**
 * The attribute of `type` in `buf` from `offset` on (the last one on repeats), as parseAttrs
 * would give it, without a Map and a Buffer per attribute: a link dump of a busy host has
 * ~40 attributes per link, and observe wants one of them.
 */
export function findAttr(buf: Buffer, offset: number, type: number): Buffer | undefined {
  let start = -1;
  let end = -1;
  for (let off = offset; off + 4 <= buf.length;) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    if ((buf.readUInt16LE(off + 2) & 0x3fff) === type) ((start = off + 4), (end = off + len));
    off += align4(len);
  }
  return start < 0 ? undefined : buf.subarray(start, end);
}

/** Attributes in `buf` from `offset` on, by type (the last one wins on repeats). */
export function parseAttrs(buf: Buffer, offset = 0): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (let off = offset; off + 4 <= buf.length;) {
    const len = buf.readUInt16LE(off);
    if (len < 4 || off + len > buf.length) break;
    out.set(buf.readUInt16LE(off + 2) & 0x3fff, buf.subarray(off + 4, off + len)); // drop NLA_F_NESTED/NET_BYTEORDER
    off += align4(len);
  }
  return out;
}

/** One request of several sent together (NetlinkSocket.requestMany), named for its error. */
export interface NlRequest {
  what: string;
  type: number;
  flags: number;
  payload: Buffer;
}

export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  /** Everything after the 16-byte header. */
  payload: Buffer;
}

function* messages(buf: Buffer): Generator<NlMessage> {
  for (let off = 0; off + HDR <= buf.length;) {
    const len = buf.readUInt32LE(off);
    if (len < HDR || off + len > buf.length) return;
    yield {
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      payload: buf.subarray(off + HDR, off + len),
    };
    off += align4(len);
  }
}

/** A netlink request the kernel refused, named after the request (`RTM_NEWLINK veth stkv0`). */
export class NetlinkError extends SyscallError {
  /** The kernel's extended-ack text, when it gave one ("Nexthop has invalid gateway"). */
  readonly detail?: string;
  constructor(request: string, errno: number, detail?: string) {
    super(request, errno, []);
    this.name = 'NetlinkError';
    this.message = `${request} failed: ${this.code} (${strerror(errno)}${detail ? `: ${detail}` : ''})`;
    if (detail) this.detail = detail;
  }
}

/** errno and extended-ack text of an NLMSG_ERROR payload (errno 0 is the ACK). */
function errorOf(m: NlMessage): { errno: number; detail?: string } {
  const errno = -m.payload.readInt32LE(0);
  // With NETLINK_CAP_ACK the echoed request is just its header; the TLVs follow it.
  const tlv = m.flags & NLM_F_ACK_TLVS ? parseAttrs(m.payload, 4 + HDR).get(NLMSGERR_ATTR_MSG) : undefined;
  const detail = tlv?.toString('utf8').replace(/\0.*$/s, '');
  return detail ? { errno, detail } : { errno };
}

/** A dump reply's flag: the kernel's object changed between two parts of the dump (some may be missing or repeated). */
const NLM_F_DUMP_INTR = 0x10;

export class NetlinkSocket {
  private seq = 0;
  /** Whether a reply collected since it was last cleared carried NLM_F_DUMP_INTR. */
  private interrupted = false;
  // Dump replies come in datagrams of up to 32 KiB (more with large pages); a short buffer truncates them.
  private readonly buf = Buffer.alloc(65536);

  /** Wraps a netlink socket fd; the socket belongs to the netns it was created in. */
  constructor(readonly fd: number) {
    // Error acks carry the kernel's reason as text and only the header of our request.
    try {
      setsockoptInt(fd, SOL_NETLINK, NETLINK_CAP_ACK, 1);
      setsockoptInt(fd, SOL_NETLINK, NETLINK_EXT_ACK, 1);
    } catch {
      // Kernels before 4.12: plain errno acks are enough.
    }
  }

  /** A netlink socket in the calling thread's network namespace. */
  static open(protocol: number): NetlinkSocket {
    return new NetlinkSocket(socket(AF_NETLINK, SOCK.DGRAM | SOCK.CLOEXEC | SOCK.NONBLOCK, protocol));
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private frame(type: number, flags: number, payload: Buffer): { msg: Buffer; seq: number } {
    const seq = ++this.seq;
    const msg = Buffer.alloc(HDR + payload.length);
    msg.writeUInt32LE(msg.length, 0);
    msg.writeUInt16LE(type, 4);
    msg.writeUInt16LE(NLM_F.REQUEST | flags, 6);
    msg.writeUInt32LE(seq, 8);
    payload.copy(msg, HDR);
    return { msg, seq };
  }

  /**
   * Reads replies to `seq` until its ACK, returning the replies before it; an error ACK
   * throws NetlinkError naming `what`. Replies to other sequence numbers are skipped.
   */
  private collect(what: string, seq: number, until: 'ack' | 'done'): NlMessage[] {
    const out: NlMessage[] = [];
    for (;;) {
      let n: number;
      try {
        n = recv(this.fd, this.buf);
      } catch (e) {
        if (e instanceof SyscallError && e.code === 'EAGAIN') throw new Error(`${what}: the kernel sent no reply`);
        throw e;
      }
      if (n === 0) throw new Error(`${what}: the reply ended early`);
      for (const m of messages(this.buf.subarray(0, n))) {
        if (m.seq !== seq) continue;
        if (m.flags & NLM_F_DUMP_INTR) this.interrupted = true;
        if (m.type === NLMSG_ERROR) {
          const { errno, detail } = errorOf(m);
          if (errno !== 0) throw new NetlinkError(what, errno, detail);
          if (until === 'ack') return out;
        } else if (m.type === NLMSG_DONE && until === 'done') {
          return out;
        } else {
          out.push({ ...m, payload: Buffer.from(m.payload) }); // the read buffer is reused
        }
      }
    }
  }

  /** One request with NLM_F_ACK; returns the replies that came before the ACK. */
  request(what: string, type: number, flags: number, payload: Buffer): NlMessage[] {
    const { msg, seq } = this.frame(type, flags | NLM_F.ACK, payload);
    send(this.fd, msg);
    return this.collect(what, seq, 'ack');
  }

  /** Like request, but the kernel's work inside send(2) runs off the event loop. */
  async requestAsync(what: string, type: number, flags: number, payload: Buffer): Promise<NlMessage[]> {
    const { msg, seq } = this.frame(type, flags | NLM_F.ACK, payload);
    await sendAsync(this.fd, msg);
    return this.collect(what, seq, 'ack');
  }

  /**
   * Several requests in one send(2), as an nfnetlink batch goes: the kernel carries out all
   * of them inside the call and queues every reply before it returns, so the replies are
   * read until none is left. Each request whose flags hold NLM_F.ACK must have been acked;
   * an error reply to any request (one without ACK too: a batch's failed commit answers its
   * first message) throws NetlinkError named after the first that failed. Synchronous: the
   * fixed resolver's batch costs the kernel ~0.1 ms, about what a threadpool hop costs.
   */
  requestMany(requests: NlRequest[]): void {
    const framed = requests.map((r) => ({ ...r, ...this.frame(r.type, r.flags, r.payload) }));
    send(this.fd, Buffer.concat(framed.map((f) => f.msg)));
    const bySeq = new Map(framed.map((r) => [r.seq, r]));
    const acked = new Set<number>();
    let failed: NetlinkError | undefined;
    // A netlink datagram is never empty: 0 (the peer closed) ends the reading too.
    for (let n; (n = recvQueued(this.fd, this.buf)) > 0;) {
      for (const m of messages(this.buf.subarray(0, n))) {
        const request = bySeq.get(m.seq);
        if (!request || m.type !== NLMSG_ERROR) continue;
        const { errno, detail } = errorOf(m);
        if (errno === 0) acked.add(m.seq);
        else failed ??= new NetlinkError(request.what, errno, detail);
      }
    }
    if (failed) throw failed;
    const unanswered = framed.find((r) => r.flags & NLM_F.ACK && !acked.has(r.seq));
    if (unanswered) throw new Error(`${unanswered.what}: the kernel sent no reply`);
  }

  /** A dump request (NLM_F_DUMP): every reply until NLMSG_DONE. */
  dump(what: string, type: number, payload: Buffer): NlMessage[] {
    const { msg, seq } = this.frame(type, NLM_F.DUMP, payload);
    send(this.fd, msg);
    return this.collect(what, seq, 'done');
  }

  /**
   * A dump that is one view of its objects: one the kernel marks interrupted (a change
   * between two of its parts, whose next part it resumes by index) is read again, up to
   * `tries` times. For dumps whose every object counts (the rules stack must find again).
   */
  consistentDump(what: string, type: number, payload: Buffer, tries = 30): NlMessage[] {
    for (let i = 0; i < tries; i++) {
      this.interrupted = false;
      const out = this.dump(what, type, payload);
      if (!this.interrupted) return out;
    }
    throw new Error(`${what}: changed during each of ${tries} reads`);
  }
}
