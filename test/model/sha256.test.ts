// model/sha256.ts takes Node's one-shot crypto.hash where it exists (20.12+) and
// createHash otherwise; every name and config hash depends on both giving the same text.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../model/sha256.js';

describe('sha256Hex', () => {
  it.each(['', 'plan/plan-s1-1/default', 'é∆😀 non-ASCII', 'x'.repeat(55), 'y'.repeat(1000)])(
    'is the hex SHA-256 of the UTF-8 text %#',
    (text) => {
      expect(sha256Hex(text)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    },
  );
});
