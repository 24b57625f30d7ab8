// The journal of applied operations: what a finished, a failed and an interrupted apply
// leave in it, and the note the next apply shows after an interruption.

import { describe, expect, it } from 'vitest';
import { execute } from '../../executor/execute.js';
import { FakeHost } from '../../executor/fake-host.js';
import {
  beginPlan,
  interruptedApply,
  interruptedNote,
  journaling,
  type Journal,
  type JournalEntry,
} from '../../executor/journal.js';
import { silentReporter } from '../../executor/reporter.js';
import type { Plan } from '../../model/plan.js';

function memoryJournal(previous: JournalEntry[] = []): Journal & { entries: JournalEntry[] } {
  const entries: JournalEntry[] = [];
  return { entries, previous: () => previous, append: (e) => entries.push(e) };
}

const plan: Plan = {
  project: 'p',
  notes: [],
  operations: [
    { kind: 'nat.remove', id: 'a', cause: 'c', after: [], project: 'p', table: 'stk_p' },
    { kind: 'nat.remove', id: 'b', cause: 'c', after: ['a'], project: 'p', table: 'stk_p' },
    { kind: 'stack.forget', id: 'c', cause: 'c', after: ['b'], project: 'p' },
  ],
};

describe('journal', () => {
  it('records the plan and every operation event in order', async () => {
    const journal = memoryJournal();
    beginPlan(journal, plan, 42, new Date('2026-11-23T20:00:00Z'));
    await execute(plan, new FakeHost(), journaling(journal, silentReporter), { concurrency: 1 });
    journal.append({ t: 'end', ok: true });
    expect(journal.entries.map((e) => ('id' in e ? `${e.t} ${e.id}` : e.t))).toEqual([
      'plan',
      'start a',
      'done a',
      'start b',
      'done b',
      'start c',
      'done c',
      'end',
    ]);
    expect(interruptedApply(journal.entries)).toBeUndefined();
  });

  it('an apply cut short names what was in flight and what never started', async () => {
    const journal = memoryJournal();
    beginPlan(journal, plan, 42, new Date('2026-11-23T20:00:00Z'));
    // The host dies inside b: its start is journaled, nothing after it.
    await execute(plan, new FakeHost({ failOn: ['nat.remove'] }), journaling(journal, silentReporter), {
      concurrency: 1,
    }).catch(() => {});
    const cut = journal.entries.slice(
      0,
      journal.entries.findIndex((e) => e.t === 'failed'),
    );
    const interrupted = interruptedApply(cut);
    expect(interrupted).toEqual({ pid: 42, at: '2026-11-23T20:00:00.000Z', inFlight: ['a'], notStarted: ['b', 'c'] });
    expect(interruptedNote(interrupted!)).toBe(
      'the previous apply (supervisor pid 42, 2026-11-23T20:00:00.000Z) was interrupted during a; 2 operations had not started; this plan converges from what it left',
    );
  });

  it('a failed apply that reached its end is not an interruption', async () => {
    const journal = memoryJournal();
    beginPlan(journal, plan, 42, new Date());
    await execute(plan, new FakeHost({ failOn: ['nat.remove'] }), journaling(journal, silentReporter)).catch(() => {});
    journal.append({ t: 'end', ok: false });
    expect(journal.entries.filter((e) => e.t === 'skipped').map((e) => ('id' in e ? e.id : ''))).toEqual(['b', 'c']);
    expect(interruptedApply(journal.entries)).toBeUndefined();
  });
});
