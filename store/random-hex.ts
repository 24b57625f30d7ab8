// Random names (a record's temporary file, a one-off's id) from /dev/urandom: node:crypto's
// randomBytes would load node:crypto, ~3.5 ms of CPU at the start of a one-shot `stack run`
// that needs nothing else from it (model/sha256.ts).

import fs from 'node:fs';

/** `bytes` random bytes from the kernel, as lowercase hex. */
export function randomHex(bytes: number): string {
  const buf = Buffer.alloc(bytes);
  const fd = fs.openSync('/dev/urandom', 'r');
  try {
    for (let got = 0; got < bytes;) got += fs.readSync(fd, buf, got, bytes - got, null);
  } finally {
    fs.closeSync(fd);
  }
  return buf.toString('hex');
}
