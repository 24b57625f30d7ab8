// The journal file as the next apply reads it: a torn last line, and lines that are JSON
// of another shape (edited by hand, or from another version), are not entries; the next
// apply's interruption note never crashes on them.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { journalFile, openJournal } from '../../store/journal-file.js';
import { interruptedApply } from '../../executor/journal.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-test-journal-'));
  process.env.STACK_ROOT = root;
});
afterEach(() => {
  delete process.env.STACK_ROOT;
  fs.rmSync(root, { recursive: true, force: true });
});

it('keeps the entries of the right shape and drops the others', () => {
  const file = journalFile('p');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lines = [
    { t: 'plan', pid: 7 }, // no `at`, no `ops`
    { t: 'plan', pid: 9, at: '2026-12-06T00:00:00Z', ops: ['a', 'b'] },
    { t: 'start', id: 3 },
    { t: 'start', id: 'a' },
    { t: 'what' },
    null,
    [1, 2],
  ];
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"t":"do');
  const previous = openJournal('p').previous();
  expect(previous).toEqual([lines[1], lines[3]]);
  expect(interruptedApply(previous)).toEqual({
    pid: 9,
    at: '2026-12-06T00:00:00Z',
    inFlight: ['a'],
    notStarted: ['b'],
  });
});

it('an apply appends through one open file, each line in the file at once, and closes it at its end', () => {
  const fds = () => fs.readdirSync('/proc/self/fd').length;
  const before = fds();
  const journal = openJournal('q');
  expect(fds()).toBe(before + 1);
  journal.append({ t: 'plan', pid: 1, at: '2026-12-07T00:00:00Z', ops: ['a'] });
  journal.append({ t: 'start', id: 'a' });
  // What a kill -9 now would leave: both lines, for the next apply's note.
  expect(openJournal('q').previous()).toEqual([
    { t: 'plan', pid: 1, at: '2026-12-07T00:00:00Z', ops: ['a'] },
    { t: 'start', id: 'a' },
  ]);
  // The second journal took the file over: the first one's fd is closed, not leaked.
  expect(fds()).toBe(before + 1);
  const next = openJournal('q');
  next.append({ t: 'end', ok: true });
  expect(fds()).toBe(before);
  expect(fs.readFileSync(journalFile('q'), 'utf8')).toBe('{"t":"end","ok":true}\n');
});
