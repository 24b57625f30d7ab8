// Rotation of a container's log at `max-size`, keeping `max-file` files (docker's json-file
// and local drivers), done by the supervisor as it notes the file's growth
// (store/log-times.ts). The container keeps appending to the same file, so a rotation
// copies the start of that file to <log>.<gen>, publishes the new head, then drops that
// start from the file (store/log-segments.ts has the layout and why readers stay right).
// Dropping is the host's: whole blocks, atomically with the container's appends
// (executor/host/linux/log-head.ts); where the filesystem cannot, the file is truncated
// instead, and a line written during the copy can be lost.

import fs from 'node:fs';
import path from 'node:path';
import type { LogConfig } from '../model/plan.js';
import { PRIVATE_FILE_MODE } from './private-files.js';
import { preadFile, readHead, rotatedFile, writeHead, type LogHead } from './log-segments.js';

/** The host's way to drop the start of a file (undefined: the filesystem of that folder cannot). */
export interface LogHeadDropper {
  canDrop(dir: string): boolean;
  drop(file: string, bytes: number): void;
}

const blockFloor = (n: number, block: number) => Math.floor(n / block) * block;

/** The byte at `offset` of `file` is a newline. */
const newlineAt = (file: string, offset: number): boolean => preadFile(file, offset, 1)?.[0] === 0x0a;

/** Offset in `file` just past the first newline at or after `from`; `from` when there is none. */
function pastNewline(file: string, from: number): number {
  for (let pos = from; ;) {
    const chunk = preadFile(file, pos, 64 * 1024);
    if (!chunk?.length) return from;
    const nl = chunk.indexOf(0x0a);
    if (nl >= 0) return pos + nl + 1;
    pos += chunk.length;
  }
}

/** Copies the first `bytes` of `file` to `target` (written whole, then renamed into place). */
function copyHead(file: string, target: string, bytes: number): void {
  const tmp = `${target}.tmp`;
  const from = fs.openSync(file, 'r');
  try {
    const to = fs.openSync(tmp, 'w', PRIVATE_FILE_MODE);
    try {
      const buf = Buffer.alloc(Math.min(bytes, 1024 * 1024));
      for (let pos = 0; pos < bytes;) {
        const n = fs.readSync(from, buf, 0, Math.min(buf.length, bytes - pos), pos);
        if (n <= 0) break;
        fs.writeSync(to, buf, 0, n);
        pos += n;
      }
    } finally {
      fs.closeSync(to);
    }
  } finally {
    fs.closeSync(from);
  }
  fs.renameSync(tmp, target);
}

/**
 * Rotates `log` while it holds max-size or more; returns the head after it (the same one
 * when nothing was due). Each rotated file holds about max-size, to the filesystem's block.
 */
export function rotateLog(log: string, config: LogConfig, host: LogHeadDropper): LogHead {
  const maxFiles = config.maxFiles ?? 1;
  const collapse = host.canDrop(path.dirname(log));
  let head = settle(log, readHead(log), collapse, host);
  if (config.maxBytes === undefined) return head;
  for (;;) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(log);
    } catch {
      return head; // removed with its container
    }
    const block = stat.blksize || 4096;
    if (stat.size < config.maxBytes || (collapse && stat.size <= block)) return head;
    // Collapsing must leave at least a byte; truncating takes it all.
    const bytes = collapse
      ? Math.min(blockFloor(stat.size - 1, block), Math.max(block, blockFloor(config.maxBytes + block - 1, block)))
      : stat.size;
    const gen = head.gen + 1;
    const base = head.base + bytes;
    if (maxFiles > 1) copyHead(log, rotatedFile(log, gen), bytes);
    // What goes: the rotated file past max-file, or (max-file 1) the bytes dropped from the
    // log itself. The first line kept starts past the first newline after the cut, unless
    // the cut fell right after one.
    const dropped = maxFiles > 1 ? gen - (maxFiles - 1) : gen;
    let keep = head.keep;
    if (maxFiles === 1) {
      // A truncate also takes what the container appended since the stat: what comes next
      // starts at `base`, at the start of whatever it writes.
      keep = !collapse || newlineAt(log, bytes - 1) ? base : head.base + pastNewline(log, bytes);
    } else if (dropped >= 1 && fs.existsSync(rotatedFile(log, dropped))) {
      const cut = rotatedFile(log, dropped);
      const oldest = rotatedFile(log, dropped + 1);
      const oldestStart = base - keptBytes(log, dropped + 1, gen);
      keep = newlineAt(cut, fs.statSync(cut).size - 1) ? oldestStart : oldestStart + pastNewline(oldest, 0);
    }
    head = { gen, base, keep: Math.max(keep, head.keep) };
    writeHead(log, { ...head, pending: true });
    if (collapse) host.drop(log, bytes);
    else fs.truncateSync(log, 0);
    writeHead(log, head);
    for (let old = dropped; old > 0 && fs.existsSync(rotatedFile(log, old)); old--) fs.rmSync(rotatedFile(log, old));
  }
}

/** Bytes held by the rotated files `from`..`to` (all present: this process wrote them). */
function keptBytes(log: string, from: number, to: number): number {
  let sum = 0;
  for (let gen = Math.max(1, from); gen <= to; gen++) sum += fs.statSync(rotatedFile(log, gen)).size;
  return sum;
}

/**
 * A head left pending: the supervisor died between publishing a rotation and dropping the
 * start of the log. Dropped already unless the log still starts with the rotated copy
 * (with max-file 1 there is none to compare: taken as dropped, so at worst up to max-size
 * old bytes show once more).
 */
function settle(log: string, head: LogHead, collapse: boolean, host: LogHeadDropper): LogHead {
  if (!head.pending) return head;
  const { pending: _pending, ...settled } = head;
  const copied = fs.existsSync(rotatedFile(log, head.gen)) ? fs.statSync(rotatedFile(log, head.gen)).size : 0;
  // Its first MiB stands for it (a log that repeats itself whole would only lose a repeat).
  const probe = preadFile(rotatedFile(log, head.gen), 0, Math.min(copied, 1024 * 1024));
  if (probe?.length && preadFile(log, 0, probe.length)?.equals(probe)) {
    if (collapse) host.drop(log, copied);
    else fs.truncateSync(log, 0);
  }
  writeHead(log, settled);
  return settled;
}
