// The journal (executor/journal.ts) as a JSON-lines file in the stack's directory. Lines
// are appended synchronously, so what a SIGKILLed supervisor had written is on disk (a
// process crash loses nothing the kernel already has). A torn last line is ignored.

import fs from 'node:fs';
import path from 'node:path';
import type { Journal, JournalEntry } from '../executor/journal.js';
import { paths } from './paths.js';
import { makePrivateDirSync, PRIVATE_FILE_MODE } from './private-files.js';
import { bool, listOf, num, shape, str, type Check } from './shape-check.js';

export function journalFile(project: string): string {
  return path.join(paths.stackDir(project), 'journal.jsonl');
}

/**
 * Each apply's journal keeps its file open until its `end` entry, or until the next journal
 * of that file opens: an append is then one write, where opening the file for each line (an
 * apply of five containers appends ~20) took three syscalls on the supervisor's main thread.
 */
const openJournals = new Map<string, { fd?: number }>();

function closeJournal(file: string): void {
  const held = openJournals.get(file);
  openJournals.delete(file);
  if (held?.fd === undefined) return;
  const fd = held.fd;
  held.fd = undefined; // its later appends, if any, open the file by name
  fs.closeSync(fd);
}

/** Reads what the last apply left, then starts a new journal in its place. */
export function openJournal(project: string): Journal {
  const file = journalFile(project);
  const previous = readEntries(file);
  closeJournal(file);
  makePrivateDirSync(path.dirname(file));
  const held = { fd: fs.openSync(file, 'w', PRIVATE_FILE_MODE) };
  openJournals.set(file, held);
  return {
    previous: () => previous,
    append: (entry) => {
      const line = JSON.stringify(entry) + '\n';
      try {
        if (held.fd !== undefined) fs.writeSync(held.fd, line);
        else fs.appendFileSync(file, line);
      } catch {
        // `down` removes the stack directory, journal included, as its last step.
      }
      if (entry.t === 'end' && openJournals.get(file) === held) closeJournal(file);
    },
  };
}

function readEntries(file: string): JournalEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const out: JournalEntry[] = [];
  for (const line of text.split('\n')) {
    try {
      const entry: unknown = line ? JSON.parse(line) : undefined;
      // A line of another shape (edited, or from another version) is not an entry: the
      // journal only informs the next apply, which converges from the host either way.
      if (entry !== undefined && journalEntryShape(entry, '') === undefined) out.push(entry as JournalEntry);
    } catch {
      // torn write at a crash
    }
  }
  return out;
}

const journalEntryShape: Check = (v, at) => {
  const t = (v as { t?: unknown } | null)?.t;
  if (t === 'plan') return shape({ pid: num, at: str, ops: listOf(str) })(v, at);
  if (t === 'start' || t === 'done' || t === 'failed' || t === 'skipped') return shape({ id: str })(v, at);
  if (t === 'end') return shape({ ok: bool })(v, at);
  return `t is not a journal entry kind`;
};
