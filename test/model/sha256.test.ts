import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashWithNodeCrypto, sha256, sha256Hex, sha256InJs } from '../../model/sha256.js';

const nodeHex = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('sha256 without node:crypto', () => {
  it('gives node:crypto digest for every length around the block and padding edges', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let n = 0; n <= bytes.length; n++)
      expect(hex(sha256InJs(bytes.subarray(0, n)))).toBe(nodeHex(bytes.subarray(0, n)));
  });

  it('matches the FIPS 180-4 examples', () => {
    expect(hex(sha256InJs(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(hex(sha256InJs(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('hashes text as UTF-8, before and after node:crypto takes over', () => {
    const texts = ['', 'stack', 'naïve ✓ 𝄞 容器', '{"a":1}'.repeat(50)];
    for (const t of texts) expect(sha256Hex(t)).toBe(nodeHex(t));
    // Past the hand-off (4 KB hashed in this process) node:crypto answers; the same digests.
    const big = 'x'.repeat(70 * 1024);
    expect(sha256Hex(big)).toBe(nodeHex(big));
    for (const t of texts) expect(hex(sha256(t))).toBe(nodeHex(t));
  });
});

// Past the hand-off sha256Hex takes Node's one-shot crypto.hash where it exists (20.12+) and
// createHash otherwise; every name and config hash depends on both giving the same text.
describe('sha256Hex', () => {
  it.each(['', 'plan/plan-s1-1/default', 'é∆😀 non-ASCII', 'x'.repeat(55), 'y'.repeat(1000)])(
    'is the hex SHA-256 of the UTF-8 text %#',
    (text) => {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    },
  );

  it('gives the same digests once a process says it has node:crypto (the supervisor)', () => {
    hashWithNodeCrypto();
    for (const t of ['', 'stk-web-1/default', 'naïve ✓ 𝄞 容器']) {
      expect(sha256Hex(t)).toBe(nodeHex(t));
      expect(hex(sha256(t))).toBe(nodeHex(t));
    }
  });
});
