// The stack's recent lifecycle events, kept so `stack events --since/--until` can show what
// happened before it was run (the supervisor's event bus is live only). One JSON object per
// line in `stacks/<project>/events.jsonl`, appended by the supervisor, bounded: once the
// file passes MAX_BYTES it is cut to its newer half (written beside it, then renamed over
// it). A line a crash left half written is skipped by the reader, never an error, and the
// next writer starts after it.

import fs from 'node:fs';
import path from 'node:path';
import { paths } from './paths.js';

export const MAX_EVENT_HISTORY_BYTES = 256 * 1024;

const historyFile = (project: string) => path.join(paths.stackDir(project), 'events.jsonl');

export interface TimedEvent {
  /** ISO time. */
  time: string;
}

export interface EventHistoryWriter {
  /** Appends events in order. */
  append: (event: TimedEvent) => void;
  /** Resolves once every event appended so far is in the file. */
  flushed: () => Promise<void>;
  /**
   * Stops appending (later events are dropped) and resolves once the pending ones are in the
   * file: a `down` removes the stack's folder only then, or an append still queued would make
   * the file again between the removal of the folder's entries and of the folder itself.
   */
  close: () => Promise<void>;
  /** Appends again, after a removal that failed. */
  reopen: () => void;
}

/** `maxBytes` is for tests. */
export function eventHistoryWriter(project: string, maxBytes = MAX_EVENT_HISTORY_BYTES): EventHistoryWriter {
  const file = historyFile(project);
  // A supervisor killed mid-append leaves a line without its end: start on a new one, or the
  // first event appended would join that broken line and be lost with it.
  let chain = endLine(file);
  let closed = false;
  const append = (event: TimedEvent) => {
    if (closed) return;
    chain = chain.then(async () => {
      try {
        await fs.promises.appendFile(file, JSON.stringify(event) + '\n');
        if ((await fs.promises.stat(file)).size > maxBytes) await keepNewerHalf(file, maxBytes);
      } catch {
        // The history is a convenience: a full disk or a stack taken down meanwhile loses
        // an entry, never the event itself (its subscribers have it already).
      }
    });
  };
  const close = () => {
    closed = true;
    return chain;
  };
  return { append, flushed: () => chain, close, reopen: () => (closed = false) };
}

async function endLine(file: string): Promise<void> {
  try {
    const text = await fs.promises.readFile(file, 'utf8');
    if (text.length > 0 && !text.endsWith('\n')) await fs.promises.appendFile(file, '\n');
  } catch {
    // no history yet
  }
}

async function keepNewerHalf(file: string, maxBytes: number): Promise<void> {
  const text = await fs.promises.readFile(file, 'utf8');
  const tail = text.slice(text.length - Math.floor(maxBytes / 2));
  const tmp = `${file}.tmp`;
  await fs.promises.writeFile(tmp, tail.slice(tail.indexOf('\n') + 1));
  await fs.promises.rename(tmp, file);
}

/** The kept events with `since <= time < until` (ms since the epoch), oldest first. */
export function readEventHistory<T extends TimedEvent>(project: string, since = -Infinity, until = Infinity): T[] {
  let text: string;
  try {
    text = fs.readFileSync(historyFile(project), 'utf8');
  } catch {
    return [];
  }
  const out: T[] = [];
  for (const line of text.split('\n')) {
    let event: T;
    try {
      event = JSON.parse(line) as T;
    } catch {
      continue; // empty, or cut short by a crash
    }
    const at = typeof event?.time === 'string' ? Date.parse(event.time) : NaN;
    if (at >= since && at < until) out.push(event);
  }
  return out;
}
