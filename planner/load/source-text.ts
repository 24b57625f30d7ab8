// The bytes of a stack or env file as the loader reads them: UTF-8, at most MAX_SOURCE_BYTES.
// A byte sequence that is not UTF-8 is an error at its line and column (decoding it would
// turn it into U+FFFD silently, and a value would change without anyone seeing it); loading
// goes on with the replacement character so that every other problem is reported too.

import type { Diagnostic } from '../../model/diagnostics.js';

/** What a reader gives the loader: bytes (checked here) or text already decoded (tests). */
export type SourceData = string | Uint8Array;

/**
 * 4 MiB: stack loads about 1.5 MB of YAML a second and holds ~50 bytes per byte of it while
 * loading, so a larger file would take seconds and hundreds of MB; real stack files are
 * far smaller (a 1000-service file is ~470 kB). A reader need not read more than one byte past it.
 */
export const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

export interface SourceText {
  /** Undefined when the file cannot be loaded at all (over the limit). */
  text: string | undefined;
  diagnostics: Diagnostic[];
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when it is not one. */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf) => j < b.length && b[j]! >= lo && b[j]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const [lo, hi] = c === 0xe0 ? [0xa0, 0xbf] : c === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const [lo, hi] = c === 0xf0 ? [0x90, 0xbf] : c === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
/** Refuses what is not UTF-8 (throws): the engine checks a file in one native pass. */
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The first byte that is not UTF-8 on each line that has one. */
function invalidBytes(path: string, bytes: Uint8Array): Diagnostic[] {
  const out: Diagnostic[] = [];
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < bytes.length;) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = ++i;
      continue;
    }
    const n = sequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    const end = bytes.indexOf(0x0a, i);
    const lineBytes = bytes.subarray(lineStart, end < 0 ? bytes.length : end);
    out.push({
      file: path,
      line,
      col: decoder.decode(bytes.subarray(lineStart, i)).length + 1,
      message: `invalid UTF-8 (byte 0x${bytes[i]!.toString(16).padStart(2, '0')}); save the file as UTF-8`,
      sourceLine: decoder.decode(lineBytes).replace(/\r$/, ''),
    });
    if (end < 0) break;
    line++;
    lineStart = i = end + 1;
  }
  return out;
}

/** The text of a file the loader reads, with a diagnostic for each line that is not UTF-8 and for a file over the limit. */
export function sourceText(path: string, data: SourceData): SourceText {
  if (typeof data === 'string') return { text: data, diagnostics: [] };
  if (data.length > MAX_SOURCE_BYTES) {
    const message = `the file is larger than ${MAX_SOURCE_BYTES / 1024 / 1024} MiB, the most stack reads (a stack file that size would take seconds and hundreds of MB to load); split it with include: or extends:`;
    return { text: undefined, diagnostics: [{ file: path, line: 1, col: 1, message }] };
  }
  // Nearly every file is UTF-8: checked natively, it skips invalidBytes' walk over each
  // byte in JS (~5 ms of the 470 kB of a 1000-service file, cold). The walk says where a
  // file that is not UTF-8 goes wrong.
  try {
    return { text: strictDecoder.decode(data), diagnostics: [] };
  } catch {
    return { text: decoder.decode(data), diagnostics: invalidBytes(path, data) };
  }
}
