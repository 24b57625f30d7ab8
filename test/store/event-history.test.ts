// The kept event history behind `stack events --since/--until`: bounded (cut to its newer
// half past its size), read in a time window, and a line a crash cut short is skipped.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventHistoryWriter, readEventHistory } from '../../store/event-history.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-events-'));
const saved = process.env.STACK_ROOT;
beforeAll(() => {
  process.env.STACK_ROOT = root;
});
afterAll(() => {
  if (saved === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = saved;
  fs.rmSync(root, { recursive: true, force: true });
});

const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 12, 0, s)).toISOString();
const file = (project: string) => path.join(root, 'stacks', project, 'events.jsonl');

function project(name: string): string {
  fs.mkdirSync(path.dirname(file(name)), { recursive: true });
  return name;
}

describe('event history', () => {
  it('keeps the events in order and reads a window of them', async () => {
    const p = project('window');
    const w = eventHistoryWriter(p);
    for (let s = 0; s < 5; s++) w.append({ time: at(s), type: 'start', n: s } as never);
    await w.flushed();
    expect(readEventHistory<{ time: string; n: number }>(p).map((e) => e.n)).toEqual([0, 1, 2, 3, 4]);
    expect(
      readEventHistory<{ time: string; n: number }>(p, Date.parse(at(1)), Date.parse(at(3))).map((e) => e.n),
    ).toEqual([1, 2]);
  });

  it('stays under its size, keeping the newest', async () => {
    const p = project('bounded');
    const w = eventHistoryWriter(p, 2000);
    for (let s = 0; s < 200; s++) w.append({ time: at(s % 60), n: s } as never);
    await w.flushed();
    expect(fs.statSync(file(p)).size).toBeLessThanOrEqual(2000);
    const kept = readEventHistory<{ time: string; n: number }>(p).map((e) => e.n);
    expect(kept[kept.length - 1]).toBe(199);
    expect(kept).not.toContain(0);
    // whole lines only: every kept one parses, in order
    expect(kept).toEqual([...kept].sort((a, b) => a - b));
  });

  it('skips a line a crash cut short; the next supervisor starts on a line of its own', async () => {
    const p = project('torn');
    const before = eventHistoryWriter(p);
    before.append({ time: at(1), n: 1 } as never);
    await before.flushed();
    fs.appendFileSync(file(p), '{"time":"2026-12-06T12:00:02.000Z","n":'); // killed mid-line
    const after = eventHistoryWriter(p);
    after.append({ time: at(3), n: 3 } as never);
    after.append({ time: at(4), n: 4 } as never);
    await after.flushed();
    expect(readEventHistory<{ time: string; n: number }>(p).map((e) => e.n)).toEqual([1, 3, 4]);
  });

  it('is empty for a stack without one', () => {
    expect(readEventHistory('none')).toEqual([]);
  });
});

// Found in the VM lane: `down`'s last step removed the stack's folder while appends were still
// queued, and one made events.jsonl again between the removal of the entries and of the
// folder (rmdir: ENOTEMPTY). The supervisor closes the history before it removes the folder.
describe('event history, closed before the stack is forgotten', () => {
  it('lands what was appended before close, drops what comes after, and makes no file again', async () => {
    const p = project('closing');
    const w = eventHistoryWriter(p);
    for (let s = 0; s < 20; s++) w.append({ time: at(s), type: 'remove', n: s } as never);
    const closing = w.close();
    w.append({ time: at(30), type: 'late', n: 30 } as never);
    await closing;
    expect(readEventHistory<{ time: string; n: number }>(p).map((e) => e.n)).toEqual([...Array(20).keys()]);
    fs.rmSync(path.dirname(file(p)), { recursive: true, force: true });
    w.append({ time: at(31), type: 'later', n: 31 } as never);
    await w.flushed();
    expect(fs.existsSync(path.dirname(file(p)))).toBe(false);
  });

  it('appends again once reopened (a removal that failed)', async () => {
    const p = project('reopened');
    const w = eventHistoryWriter(p);
    await w.close();
    w.reopen();
    w.append({ time: at(1), type: 'start', n: 1 } as never);
    await w.flushed();
    expect(readEventHistory<{ time: string; n: number }>(p).map((e) => e.n)).toEqual([1]);
  });
});
