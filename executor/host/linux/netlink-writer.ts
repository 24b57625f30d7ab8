// Netlink attributes written in place into one growing buffer, as libmnl does, for messages
// of many small attributes (an nf_tables rule has ~40): a Buffer per attribute and a concat
// per nest (netlink.ts attr) cost ~1 µs each in Node, ~0.3 ms for the fixed resolver's batch.
// Lengths and types are in host byte order (little-endian: netlink.ts); values as written.

/** Netlink's NLA_ALIGN / NLMSG_ALIGN: lengths round up to 4 bytes (netlink.ts uses it too). */
export const align4 = (n: number) => (n + 3) & ~3;

/** Little-endian u16 by byte stores: Buffer's write methods cost a call and checks each. */
function u16(b: Buffer, at: number, n: number): void {
  b[at] = n & 0xff;
  b[at + 1] = n >>> 8;
}

/** NLA_F_NESTED, set on every nest as libnftnl does (the kernel accepts it either way). */
const NLA_F_NESTED = 0x8000;

export class NetlinkWriter {
  private buf = Buffer.alloc(2048);
  private off = 0;

  private room(n: number): void {
    if (this.off + n <= this.buf.length) return;
    const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.off + n));
    this.buf.copy(bigger, 0, 0, this.off);
    this.buf = bigger;
  }

  /** Raw bytes with no attribute header (a message's fixed header, such as struct nfgenmsg). */
  raw(bytes: Uint8Array): void {
    this.room(align4(bytes.length));
    this.buf.set(bytes, this.off);
    this.off += align4(bytes.length);
  }

  /** An attribute's header for `len` payload bytes, its padding zeroed; where the payload goes. */
  private head(type: number, len: number): number {
    const size = align4(4 + len);
    this.room(size);
    const b = this.buf;
    const o = this.off;
    u16(b, o, 4 + len);
    u16(b, o + 2, type);
    for (let i = o + 4 + len; i < o + size; i++) b[i] = 0;
    this.off += size;
    return o + 4;
  }

  /** A 32-bit value in network order (NLA_BE32); a negative one as two's complement. */
  be32(type: number, n: number): void {
    const at = this.head(type, 4);
    const b = this.buf;
    b[at] = (n >>> 24) & 0xff;
    b[at + 1] = (n >>> 16) & 0xff;
    b[at + 2] = (n >>> 8) & 0xff;
    b[at + 3] = n & 0xff;
  }

  /** A 64-bit zero (NLA_BE64: a counter's start). */
  be64zero(type: number): void {
    const at = this.head(type, 8);
    this.buf.fill(0, at, at + 8);
  }

  /** A NUL-terminated string (NLA_STRING / NLA_NUL_STRING) of ASCII (stack's names are). */
  str(type: number, s: string): void {
    const at = this.head(type, s.length + 1);
    for (let i = 0; i < s.length; i++) this.buf[at + i] = s.charCodeAt(i);
    this.buf[at + s.length] = 0;
  }

  /** Bytes as they are (addresses, ports, interface names: already in their wire order). */
  bytes(type: number, data: Uint8Array): void {
    const at = this.head(type, data.length);
    for (let i = 0; i < data.length; i++) this.buf[at + i] = data[i]!;
  }

  /** A nest (NLA_F_NESTED) holding whatever `inner` writes. */
  nest(type: number, inner: () => void): void {
    this.room(4);
    const start = this.off;
    this.off += 4;
    inner();
    u16(this.buf, start, this.off - start);
    u16(this.buf, start + 2, type | NLA_F_NESTED);
  }

  /** What was written, as a Buffer of its own; the writer starts over. */
  take(): Buffer {
    const out = Buffer.from(this.buf.subarray(0, this.off));
    this.off = 0;
    return out;
  }
}
