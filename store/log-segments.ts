// A container's log as files, when `logging:` rotates it (store/log-rotation.ts writes them,
// `stack logs` reads them). Positions are absolute: byte P is the P-th byte the container
// ever wrote, wherever it is kept now.
//   <log>          what the container appends to; its first byte is at `base`
//   <log>.<k>      the k-th rotation's copy of the start of <log> (never changed after),
//                  contiguous: the newest ends at `base`
//   <log>.head     "gen base keep [pending]": rotations done, base, and where the first
//                  whole line still kept starts (older bytes are gone); `pending` while
//                  the start of <log> is being dropped
//   <log>.times    "<end> <ms>" lines (store/log-times.ts), with absolute ends
// A rotation writes the new generation's head marked pending, drops the start of <log>,
// then writes the head again without the mark. So a reader that sees the same settled
// generation before and after reading <log> has read bytes at that generation's `base`.

import fs from 'node:fs';
import path from 'node:path';
import { PRIVATE_FILE_MODE } from './private-files.js';

export interface LogHead {
  gen: number;
  base: number;
  keep: number;
  /** The start of <log> is being dropped: its offsets are not yet `base`'s. */
  pending?: boolean;
}

/** How long a reader waits out a pending head before taking it as settled (its writer died mid-rotation). */
const PENDING_WAIT_MS = 2000;
const pause = new Int32Array(new SharedArrayBuffer(4));

export const headFile = (log: string) => `${log}.head`;
export const rotatedFile = (log: string, gen: number) => `${log}.${gen}`;

export function readHead(log: string): LogHead {
  let text = '';
  try {
    text = fs.readFileSync(headFile(log), 'utf8');
  } catch {
    /* never rotated */
  }
  const fields = text.trim().split(' ');
  const [gen, base, keep] = fields.map(Number);
  if (!(Number.isSafeInteger(gen) && Number.isSafeInteger(base) && Number.isSafeInteger(keep)))
    return { gen: 0, base: 0, keep: 0 };
  return { gen: gen!, base: base!, keep: keep!, ...(fields[3] === 'pending' ? { pending: true } : {}) };
}

/** Replaces the head at once (a reader sees the old one or the new one). */
export function writeHead(log: string, head: LogHead): void {
  const tmp = `${headFile(log)}.tmp`;
  fs.writeFileSync(tmp, `${head.gen} ${head.base} ${head.keep}${head.pending ? ' pending' : ''}\n`, {
    mode: PRIVATE_FILE_MODE,
  });
  fs.renameSync(tmp, headFile(log));
}

/**
 * Every file of a container's log (for removal with the container): its head, times and
 * rotated copies, and their temporary files. Only those suffixes: a container's name may
 * hold dots, so `<log>.` is also the start of other containers' logs (`p-web-1.log.x-1.log`).
 */
export function logFamily(log: string): string[] {
  const base = path.basename(log);
  const ours = (n: string) => n.startsWith(`${base}.`) && /^(head|times|\d+)(\.tmp)?$/.test(n.slice(base.length + 1));
  let names: string[] = [];
  try {
    names = fs.readdirSync(path.dirname(log)).filter(ours);
  } catch {
    /* no logs folder */
  }
  return [log, ...names.map((n) => path.join(path.dirname(log), n))];
}

const sizeOf = (file: string): number | undefined => {
  try {
    return fs.statSync(file).size;
  } catch {
    return undefined;
  }
};

/** Up to `max` bytes of `file` at `at`; undefined when the file is gone. */
export function preadFile(file: string, at: number, max: number): Buffer | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(max);
    return buf.subarray(0, fs.readSync(fd, buf, 0, max, at));
  } finally {
    fs.closeSync(fd);
  }
}

/** Where each kept rotated file starts, newest first (they end where the next one starts). */
function rotatedStarts(log: string, head: LogHead): { gen: number; start: number }[] {
  const out: { gen: number; start: number }[] = [];
  let end = head.base;
  for (let gen = head.gen; gen > 0; gen--) {
    const size = sizeOf(rotatedFile(log, gen));
    if (size === undefined) break;
    end -= size;
    out.push({ gen, start: end });
  }
  return out;
}

/**
 * Up to `max` bytes from absolute position `at` (moved up to the first kept line when
 * older bytes are gone), from whichever file holds them now; empty at the end.
 */
export function readLogAt(log: string, at: number, max = 64 * 1024): { at: number; data: Buffer } {
  const waitUntil = Date.now() + PENDING_WAIT_MS;
  for (;;) {
    const head = readHead(log);
    at = Math.max(at, head.keep);
    if (at >= head.base) {
      if (head.pending && Date.now() < waitUntil) {
        Atomics.wait(pause, 0, 0, 1); // the drop takes microseconds
        continue;
      }
      const data = preadFile(log, at - head.base, max) ?? Buffer.alloc(0);
      // A rotation meanwhile may have dropped what was read from under us: read it again from where it went.
      const after = readHead(log);
      if (after.gen === head.gen && after.pending === head.pending) return { at, data };
      continue;
    }
    const starts = rotatedStarts(log, head);
    const holder = starts.find((s) => s.start <= at);
    if (!holder) {
      // Older than the oldest kept file (every start is past `at`): gone; go on from what is kept.
      at = starts.at(-1)?.start ?? head.base;
      continue;
    }
    const data = preadFile(rotatedFile(log, holder.gen), at - holder.start, max);
    if (data !== undefined) return { at, data };
  }
}

/** The absolute end of what has been written (the last byte's position + 1). */
export function logEnd(log: string): number {
  const waitUntil = Date.now() + PENDING_WAIT_MS;
  for (;;) {
    const head = readHead(log);
    if (head.pending && Date.now() < waitUntil) {
      Atomics.wait(pause, 0, 0, 1);
      continue;
    }
    const size = sizeOf(log) ?? 0;
    const after = readHead(log);
    if (after.gen === head.gen && after.pending === head.pending) return head.base + size;
  }
}

/** The first kept position (where a reader without --tail starts). */
export const logStart = (log: string): number => readHead(log).keep;
