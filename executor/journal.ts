// The journal of applied operations: one line per plan and per operation event, appended
// as the executor goes. Correctness never depends on it (observe + reconcile converge from
// whatever the host holds after a crash); it tells the next apply, and the user, that the
// previous one was cut short and where. The Linux host keeps it in a file
// (store/journal-file.ts); this module is the pure part.

import type { Plan } from '../model/plan.js';
import type { Reporter } from './reporter.js';

export type JournalEntry =
  | { t: 'plan'; pid: number; at: string; ops: string[] }
  | { t: 'start' | 'done' | 'failed' | 'skipped'; id: string }
  | { t: 'end'; ok: boolean };

export interface Journal {
  /** Entries of the previous apply, as left on disk (empty when there was none). */
  previous(): JournalEntry[];
  append(entry: JournalEntry): void;
}

/** Starts the journal of `plan`: drops the previous apply's entries, records the plan. */
export function beginPlan(journal: Journal, plan: Plan, pid: number, now: Date): void {
  journal.append({ t: 'plan', pid, at: now.toISOString(), ops: plan.operations.map((o) => o.id) });
}

/** A Reporter that journals every event before passing it on. */
export function journaling(journal: Journal, inner: Reporter): Reporter {
  return {
    event(e) {
      journal.append({ t: e.type, id: e.id });
      inner.event(e);
    },
  };
}

export interface Interrupted {
  pid: number;
  at: string;
  /** Operations that had started but neither finished nor failed. */
  inFlight: string[];
  /** Operations that never started. */
  notStarted: string[];
}

/** What the previous apply left unfinished, when it did not reach its end line. */
export function interruptedApply(entries: JournalEntry[]): Interrupted | undefined {
  const plan = entries.find((e): e is Extract<JournalEntry, { t: 'plan' }> => e.t === 'plan');
  if (!plan || entries.some((e) => e.t === 'end')) return undefined;
  const started = new Set<string>();
  const settled = new Set<string>();
  for (const e of entries) {
    if (e.t === 'start') started.add(e.id);
    if (e.t === 'done' || e.t === 'failed' || e.t === 'skipped') settled.add(e.id);
  }
  return {
    pid: plan.pid,
    at: plan.at,
    inFlight: plan.ops.filter((id) => started.has(id) && !settled.has(id)),
    notStarted: plan.ops.filter((id) => !started.has(id) && !settled.has(id)),
  };
}

/** The plan note that tells the user about an interrupted apply. */
export function interruptedNote(i: Interrupted): string {
  const during = i.inFlight.length > 0 ? ` during ${i.inFlight.join(', ')}` : '';
  const left =
    i.notStarted.length > 0
      ? `; ${i.notStarted.length} operation${i.notStarted.length === 1 ? '' : 's'} had not started`
      : '';
  return `the previous apply (supervisor pid ${i.pid}, ${i.at}) was interrupted${during}${left}; this plan converges from what it left`;
}
