// A small tar written into memory, byte for byte as tar-stream's pack writes it (its ustar
// header, its PAX fallback for long or non-ASCII names and long link targets, the 512-byte
// padding, two zero blocks at the end), so a layer packed here has the digest the streamed
// packing gives. A build step's layer is mostly a few small files: the stream machinery's
// first use (its modules, a thread-pool round trip per chunk) cost a one-file rebuild more
// than the packing itself.

export interface TarHeader {
  name: string;
  type: 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo';
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
  size?: number;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
}

const BLOCK = 512;
const TYPEFLAG = {
  file: 0,
  link: 1,
  symlink: 2,
  'character-device': 3,
  'block-device': 4,
  directory: 5,
  fifo: 6,
  'pax-header': 72,
} as const;

export class MemoryTar {
  private parts: Buffer[] = [];
  /** Bytes written so far. */
  length = 0;

  /** One entry; `body` is a regular file's content (its length is the size, as tar-stream takes it). */
  add(header: TarHeader, body: Buffer = Buffer.alloc(0)): void {
    // tar-stream's defaults: a mode of 0 becomes 0755 or 0644.
    const h = { ...header, size: body.length, mode: header.mode || (header.type === 'directory' ? 0o755 : 0o644) };
    const plain = encodeHeader(h);
    if (plain) this.push(plain);
    else this.pushPax(h);
    this.push(body);
    this.pad(body.length);
  }

  /** The whole archive, its end marker included. */
  finish(): Buffer {
    this.push(Buffer.alloc(2 * BLOCK));
    return Buffer.concat(this.parts, this.length);
  }

  private push(b: Buffer): void {
    this.parts.push(b);
    this.length += b.length;
  }

  private pad(size: number): void {
    if (size % BLOCK) this.push(Buffer.alloc(BLOCK - (size % BLOCK)));
  }

  /** tar-stream's PAX form: a `PaxHeader` entry with path and linkpath, then the header named `PaxHeader` too. */
  private pushPax(h: TarHeader & { size: number }): void {
    let text = '';
    if (h.name) text += paxRecord(` path=${h.name}\n`);
    if (h.linkname) text += paxRecord(` linkpath=${h.linkname}\n`);
    const pax = Buffer.from(text);
    const linkname = h.linkname ? 'PaxHeader' : undefined;
    this.push(encodeHeader({ ...h, name: 'PaxHeader', linkname, size: pax.length }, 'pax-header')!);
    this.push(pax);
    this.pad(pax.length);
    this.push(encodeHeader({ ...h, name: 'PaxHeader', linkname })!);
  }
}

/** `LEN key=value\n` where LEN counts itself. */
function paxRecord(text: string): string {
  const len = Buffer.byteLength(text);
  let digits = Math.floor(Math.log(len) / Math.log(10)) + 1;
  if (len + digits >= Math.pow(10, digits)) digits++;
  return `${len + digits}${text}`;
}

/** The ustar header block, or undefined when the name or link target needs PAX. */
function encodeHeader(h: TarHeader & { size: number }, type: keyof typeof TYPEFLAG = h.type): Buffer | undefined {
  const buf = Buffer.alloc(BLOCK);
  let name = h.name;
  let prefix = '';
  if (Buffer.byteLength(name) !== name.length) return undefined; // not ASCII
  while (name.length > 100) {
    const i = name.indexOf('/');
    if (i === -1) return undefined;
    prefix += prefix ? `/${name.slice(0, i)}` : name.slice(0, i);
    name = name.slice(i + 1);
  }
  if (name.length > 100 || prefix.length > 155) return undefined;
  if (h.linkname && Buffer.byteLength(h.linkname) > 100) return undefined;
  buf.write(name, 0);
  buf.write(octal(h.mode & 0o7777, 6), 100);
  buf.write(octal(h.uid, 6), 108);
  buf.write(octal(h.gid, 6), 116);
  if (h.size.toString(8).length > 11) {
    // base-256 for sizes of 8 GiB and more
    buf[124] = 0x80;
    for (let i = 11, n = h.size; i > 0; i--, n = Math.floor(n / 0x100)) buf[124 + i] = n & 0xff;
  } else buf.write(octal(h.size, 11), 124);
  buf.write(octal((h.mtime.getTime() / 1000) | 0, 11), 136);
  buf[156] = 0x30 + TYPEFLAG[type];
  if (h.linkname) buf.write(h.linkname, 157);
  buf.write('ustar\u000000', 257, 'latin1');
  buf.write(octal(h.devmajor ?? 0, 6), 329);
  buf.write(octal(h.devminor ?? 0, 6), 337);
  if (prefix) buf.write(prefix, 345);
  let sum = 8 * 32;
  for (let i = 0; i < 148; i++) sum += buf[i]!;
  for (let i = 156; i < BLOCK; i++) sum += buf[i]!;
  buf.write(octal(sum, 6), 148);
  return buf;
}

/** tar-stream's octal field: zero-padded to `n` digits and a space; all sevens when too big. */
function octal(value: number, n: number): string {
  const digits = value.toString(8);
  return digits.length > n ? `${'7'.repeat(n)} ` : `${digits.padStart(n, '0')} `;
}
