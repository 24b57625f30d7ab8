// SHA-256 of short texts without node:crypto. Loading node:crypto costs ~3.5 ms of CPU (its
// ciphers, keys and streams come with it), and a one-shot `stack run --rm --image` needs only
// a few digests (the spec's hash, ~1 KB, and names): that load was a tenth of its start.
// In JS a digest costs ~0.3 ms per KB, so once a process has hashed HANDOFF_BYTES here (a
// plan of 1000 services hashes megabytes) node:crypto takes over; the digests are the same
// either way (sha256.test.ts).

import { createRequire } from 'node:module';

type Crypto = typeof import('node:crypto');

/** Past this many bytes hashed in JS (~1.2 ms), loading node:crypto is the cheaper way. */
const HANDOFF_BYTES = 4 * 1024;

let hashedInJs = 0;
let native: Crypto | undefined;

// Int32Array and `| 0` throughout: V8's interpreter keeps int32 values unboxed, where a
// uint32 past 2^31 (a Uint32Array's) is a heap number per step; this runs once or twice
// per process, never long enough to be optimised.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** Big-endian `value` into `out` at `at`. */
function putInt32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = value >> 16;
  out[at + 2] = value >> 8;
  out[at + 3] = value;
}

/** FIPS 180-4 SHA-256 of `bytes`, in JS (exported for its test). */
export function sha256InJs(bytes: Uint8Array): Uint8Array {
  const size = ((bytes.length + 9 + 63) >> 6) << 6;
  const blocks = new Uint8Array(size);
  blocks.set(bytes);
  blocks[bytes.length] = 0x80;
  const bits = bytes.length * 8;
  putInt32(blocks, size - 8, Math.floor(bits / 2 ** 32));
  putInt32(blocks, size - 4, bits | 0);
  const h = new Int32Array(INITIAL);
  const w = new Int32Array(64);
  for (let at = 0; at < size; at += 64) {
    for (let i = 0; i < 16; i++) {
      const j = at + i * 4;
      w[i] = (blocks[j] << 24) | (blocks[j + 1] << 16) | (blocks[j + 2] << 8) | blocks[j + 3];
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15];
      const y = w[i - 2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ ((x >>> 3) | 0);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ ((y >>> 10) | 0);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let a = h[0];
    let b = h[1];
    let c = h[2];
    let d = h[3];
    let e = h[4];
    let f = h[5];
    let g = h[6];
    let hh = h[7];
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + s1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    const round = [a, b, c, d, e, f, g, hh];
    for (let i = 0; i < 8; i++) h[i] = (h[i] + round[i]) | 0;
  }
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) putInt32(out, i * 4, h[i]);
  return out;
}

/** node:crypto, loaded once this process has hashed more than HANDOFF_BYTES in JS. */
function nativeCrypto(): Crypto {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  native ??= createRequire(import.meta.url)('node:crypto') as Crypto;
  return native;
}

/**
 * From now on every digest is node:crypto's: for a process that loads node:crypto anyway
 * (the supervisor, v8-settings.ts), where the JS digests before the hand-off were pure cost
 * (~4 ms of a first `up`'s CPU with the supervisor's --no-opt, on its critical path).
 */
export function hashWithNodeCrypto(): void {
  nativeCrypto();
}

/**
 * Whether the next digest of `bytes` bytes is still made in JS (and counts it). Counted as
 * the 64-byte blocks it compresses, the message padded: a digest of a short name (a veth's,
 * ~30 bytes) costs a whole block. Counted as its bytes, a plan of many containers made ~140
 * digests of names in JS before the hand-off (~10 ms of CPU, where node:crypto costs ~4).
 * A text past the hand-off on its own goes to node:crypto even as the first: a megabyte (an
 * inline config's content) took ~26 ms of CPU in JS, against ~7 to load node:crypto and hash it.
 */
function inJs(bytes: number): boolean {
  if (native !== undefined || hashedInJs > HANDOFF_BYTES || bytes > HANDOFF_BYTES) return false;
  hashedInJs += ((bytes + 9 + 63) >> 6) << 6;
  return true;
}

/** The SHA-256 digest of `text` (UTF-8). */
export function sha256(text: string): Uint8Array {
  const bytes = Buffer.from(text, 'utf8');
  if (inJs(bytes.length)) return sha256InJs(bytes);
  return nativeCrypto().createHash('sha256').update(bytes).digest();
}

type OneShot = (algorithm: string, data: string, encoding: 'hex') => string;

/**
 * The SHA-256 digest of `text` (UTF-8), as lowercase hex. Past the hand-off, Node 20.12+'s
 * one-shot crypto.hash: about twice as cheap as createHash().update().digest() (a Hash
 * object per call), which a plan of 1000 services calls thousands of times.
 */
export function sha256Hex(text: string): string {
  if (native === undefined && hashedInJs <= HANDOFF_BYTES && text.length <= HANDOFF_BYTES)
    return Buffer.from(sha256(text)).toString('hex');
  const crypto = nativeCrypto();
  const oneShot = (crypto as unknown as { hash?: OneShot }).hash;
  return typeof oneShot === 'function'
    ? oneShot('sha256', text, 'hex')
    : crypto.createHash('sha256').update(text).digest('hex');
}
