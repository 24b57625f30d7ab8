// docker's detach keys (`--detach-keys ctrl-p,ctrl-q`): a sequence of keys which, typed into
// an attached stdin, detaches instead of reaching the container.

import { UsageError } from './usage-error.js';

/** `ctrl-p,ctrl-q` → [0x10, 0x11]: `ctrl-X` for a control key (a–z, @, [, \, ], ^, _), or one character. */
export function detachKeys(spec: string): number[] {
  return spec.split(',').map((key) => {
    const ctrl = /^ctrl-(.)$/i.exec(key);
    if (ctrl) {
      const c = ctrl[1]!.toUpperCase().charCodeAt(0);
      if (c >= 0x40 && c <= 0x5f) return c & 0x1f;
    } else if (key.length === 1) return key.charCodeAt(0);
    throw new UsageError(`--detach-keys: ${key} is no key (use ctrl-X or one character, comma-separated)`);
  });
}

/** Feeds stdin through: the bytes to pass on, and whether the whole sequence was typed (held back while it may be). */
export function detachScanner(keys: number[]): (chunk: Buffer) => { pass: Buffer; detach: boolean } {
  let matched = 0;
  return (chunk) => {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === keys[matched]) {
        if (++matched === keys.length) return { pass: Buffer.from(out), detach: true };
        continue;
      }
      // A broken sequence: what was held goes on, as typed.
      out.push(...keys.slice(0, matched));
      matched = byte === keys[0] ? 1 : 0;
      if (matched === 0) out.push(byte);
    }
    return { pass: Buffer.from(out), detach: false };
  };
}
