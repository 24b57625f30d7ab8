// Executes a plan with a journal: the plan line first, every operation event as it
// happens, an end line last. A plan that follows an interrupted one says so in its notes.

import type { Host } from '../executor/host.js';
import { execute } from '../executor/execute.js';
import type { ContainerHooks } from '../executor/container-hooks.js';
import { beginPlan, interruptedApply, interruptedNote, journaling, type Journal } from '../executor/journal.js';
import type { Reporter } from '../executor/reporter.js';
import type { Plan } from '../model/plan.js';
import type { Message } from './protocol.js';

/** Adds a note to `plan` when the journal shows the previous apply did not finish. */
export function noteInterrupted(plan: Plan, journal: Journal): void {
  const interrupted = interruptedApply(journal.previous());
  if (interrupted) plan.notes.push(interruptedNote(interrupted));
}

/** `hooks`: what the supervisor does at each step on a container (its Lifecycle's). */
export async function executeJournaled(
  plan: Plan,
  host: Host,
  reporter: Reporter,
  journal: Journal,
  hooks?: ContainerHooks,
  /** At most this many operations at once (`--parallel`); the executor's default when absent. */
  concurrency?: number,
): Promise<void> {
  beginPlan(journal, plan, process.pid, new Date());
  let ok = false;
  try {
    await execute(plan, host, journaling(journal, reporter), { hooks, ...(concurrency ? { concurrency } : {}) });
    ok = true;
  } finally {
    journal.append({ t: 'end', ok });
  }
}

/** What a request that carries out a plan needs: where to say it, the journal, the DNS server to reload after. */
export interface PlanRun {
  project: string;
  host: Host;
  send: (m: Message) => void;
  journal: (project: string) => Journal;
  dns?: { reload(): Promise<void> };
  /** What follows each container step (supervisor/lifecycle.ts). */
  hooks?: ContainerHooks;
}

/** Sends the plan (noted when the previous apply was interrupted), executes it journaled, then reloads DNS, whatever happened. */
export async function runPlan(plan: Plan, ctx: PlanRun, reporter: Reporter, concurrency?: number): Promise<void> {
  const journal = ctx.journal(ctx.project);
  noteInterrupted(plan, journal);
  ctx.send({ type: 'plan', plan });
  try {
    await executeJournaled(plan, ctx.host, reporter, journal, ctx.hooks, concurrency);
  } finally {
    await ctx.dns?.reload();
  }
}
