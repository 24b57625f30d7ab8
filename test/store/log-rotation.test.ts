// Rotation of a log file and reading it back across its files, on plain files: with the
// host's block collapse (this machine's ext4 /tmp), and with the truncating fallback of a
// filesystem that has none (tmpfs, btrfs). A reader whose bytes were dropped goes on from
// the first whole line kept.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { canDropLogHead, dropLogHead } from '../../executor/host/linux/log-head.js';
import { rotateLog, type LogHeadDropper } from '../../store/log-rotation.js';
import { logEnd, logFamily, logStart, readHead, readLogAt } from '../../store/log-segments.js';

let dir: string;
let log: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stkt-logrot-'));
  log = path.join(dir, 'c.log');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const collapsing: LogHeadDropper = { canDrop: canDropLogHead, drop: dropLogHead };
const truncating: LogHeadDropper = { canDrop: () => false, drop: () => expect.fail('no collapse here') };

/** Appends lines `n` to `m - 1` (`line 000042 …`, 50 bytes each) as a container would. */
function write(from: number, to: number): void {
  let text = '';
  for (let i = from; i < to; i++) text += `line ${String(i).padStart(6, '0')} ${'x'.repeat(37)}\n`;
  fs.appendFileSync(log, text);
}

/** Everything a reader gets from the first kept byte. */
function readAll(): string {
  const parts: Buffer[] = [];
  for (let at = logStart(log); ;) {
    const got = readLogAt(log, at);
    if (got.data.length === 0) break;
    parts.push(got.data);
    at = got.at + got.data.length;
  }
  return Buffer.concat(parts).toString();
}

function numbers(text: string): number[] {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => {
      expect(l).toMatch(/^line \d{6} x{37}$/);
      return Number(l.slice(5, 11));
    });
}

const rotatedCount = () => logFamily(log).filter((f) => /\.\d+$/.test(f)).length;

describe.each([
  ['collapsing the start of the file', collapsing],
  ['truncating (a filesystem without collapse)', truncating],
])('rotateLog, %s', (_name, host) => {
  it('keeps max-file files, and the kept bytes read back as whole consecutive lines ending with the last', () => {
    for (let i = 0; i < 40; i++) {
      write(i * 100, (i + 1) * 100);
      rotateLog(log, { driver: 'json-file', maxBytes: 8192, maxFiles: 3 }, host);
    }
    expect(rotatedCount()).toBeLessThanOrEqual(2);
    const kept = numbers(readAll());
    expect(kept.at(-1)).toBe(3999);
    expect(kept[0]).toBeGreaterThan(0);
    kept.forEach((n, i) => expect(n).toBe(kept[0]! + i));
    expect(logEnd(log)).toBe(4000 * 50);
  });

  it('max-file 1 drops the start and keeps no rotated file', () => {
    for (let i = 0; i < 20; i++) {
      write(i * 100, (i + 1) * 100);
      rotateLog(log, { driver: 'json-file', maxBytes: 8192 }, host);
    }
    write(2000, 2010); // truncating may have left nothing: the lines after it at least
    expect(rotatedCount()).toBe(0);
    const kept = numbers(readAll());
    expect(kept.at(-1)).toBe(2009);
    kept.forEach((n, i) => expect(n).toBe(kept[0]! + i));
    expect(fs.statSync(log).size).toBeLessThan(8192 + 100 * 50);
  });
});

it('a reader behind what is kept goes on from the first whole line kept', () => {
  write(0, 1000);
  rotateLog(log, { driver: 'json-file', maxBytes: 8192, maxFiles: 2 }, collapsing);
  const head = readHead(log);
  expect(head.gen).toBeGreaterThan(1);
  const got = readLogAt(log, 0);
  expect(got.at).toBe(head.keep);
  expect(got.data.toString()).toMatch(/^line \d{6} /);
});

it('does nothing without max-size, or below it', () => {
  write(0, 100);
  rotateLog(log, { driver: 'json-file' }, collapsing);
  rotateLog(log, { driver: 'json-file', maxBytes: 1_000_000, maxFiles: 3 }, collapsing);
  expect(readHead(log)).toEqual({ gen: 0, base: 0, keep: 0 });
  expect(numbers(readAll())).toHaveLength(100);
});

it('a rotation cut short between publishing the head and dropping the start is finished by the next one, with no line twice', () => {
  write(0, 400);
  const dying: LogHeadDropper = {
    canDrop: canDropLogHead,
    drop: () => {
      throw new Error('the supervisor died here');
    },
  };
  expect(() => rotateLog(log, { driver: 'json-file', maxBytes: 8192, maxFiles: 4 }, dying)).toThrow(/died/);
  expect(readHead(log).pending).toBe(true);
  write(400, 500);
  rotateLog(log, { driver: 'json-file', maxBytes: 8192, maxFiles: 4 }, collapsing);
  expect(readHead(log).pending).toBeUndefined();
  const kept = numbers(readAll());
  expect(kept).toEqual(Array.from({ length: 500 }, (_, i) => i));
});

it("a container's log files are its own: another container whose name starts with its name and a dot keeps its logs", () => {
  write(0, 400);
  rotateLog(log, { driver: 'json-file', maxBytes: 8192, maxFiles: 4 }, collapsing);
  const mine = logFamily(log);
  // A container named `c.log.x` (names may hold dots) has its log at `c.log.x.log`.
  const other = path.join(dir, 'c.log.x.log');
  for (const f of [other, `${other}.times`, `${other}.head`, `${other}.1`]) fs.writeFileSync(f, '');
  expect(logFamily(log)).toEqual(mine);
  expect(mine).toContain(`${log}.head`);
  expect(mine.some((f) => /\.log\.\d+$/.test(f))).toBe(true);
});

it('max-file 1, truncating: what the container appends while the log rotates does not hide the start of what comes next', () => {
  // The fault: the container appends between the rotation's stat and its truncate. The
  // truncate takes those bytes too, so the first byte kept is where the next output starts;
  // a keep past the newline in the lost bytes made readers skip the start of the next lines.
  write(0, 200);
  fs.appendFileSync(log, `line 000200 ${'x'.repeat(10)}`);
  const sizeAtStat = fs.statSync(log).size;
  fs.appendFileSync(log, `${'x'.repeat(27)}\nline 000201 ${'x'.repeat(5)}`);
  const realStat = fs.statSync;
  let seen = false;
  const spy = vi.spyOn(fs, 'statSync').mockImplementation(((file: fs.PathLike, options?: fs.StatSyncOptions) => {
    const st = realStat(file, options) as fs.Stats;
    if (file !== log || seen) return st;
    seen = true;
    return Object.assign(st, { size: sizeAtStat });
  }) as typeof fs.statSync);
  try {
    rotateLog(log, { driver: 'json-file', maxBytes: 8192 }, truncating);
  } finally {
    spy.mockRestore();
  }
  expect(seen).toBe(true);
  write(300, 310);
  expect(numbers(readAll())).toEqual(Array.from({ length: 10 }, (_, i) => 300 + i));
});
