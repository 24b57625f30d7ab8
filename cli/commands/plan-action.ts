// What `stack plan` does (loaded only when it runs; see plan.ts). It observes the host
// through the Host's observe itself (linux-observer.ts) rather than asking the stack's
// supervisor: a plan is wanted most before the stack is up, when no supervisor runs, and
// starting one only to print a plan would leave a process, a log and a socket behind for
// nothing. Observing changes nothing, so no lock is taken.

import { createLinuxObserver } from '../../executor/host/linux/linux-observer.js';
import { observeOptionsFor } from '../../planner/plan/observe-options.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { planToText } from '../../model/plan-text.js';
import type { Plan } from '../../model/plan.js';
import { loadStackFiles, type GlobalOptions } from '../stack-file.js';
import type { UpFlags } from '../up-flags.js';
import { reconcileOptions } from '../up-options.js';
import { withPendingBuilds } from '../../images/pending-builds.js';
import { withPendingPulls } from '../../images/pending-pulls.js';
import { storedImage } from '../../images/image-store.js';
import { selectServices } from '../../planner/plan/select-services.js';

export interface PlanOptions extends UpFlags {
  format: string;
}

export async function plan(globals: GlobalOptions, opts: PlanOptions, services: string[] = []): Promise<void> {
  const plan = await upPlan(globals, opts, services);
  process.stdout.write(opts.format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : planToText(plan));
}

/** What `up SERVICE…` with these flags would do now (`--dry-run` of up, scale and watch shows it too). */
export async function upPlan(globals: GlobalOptions, opts: UpFlags, services: string[] = []): Promise<Plan> {
  const options = reconcileOptions(opts, services);
  const stack = loadStackFiles(globals);
  const observed = await createLinuxObserver().observe(stack.project, observeOptionsFor(stack));
  // What `up` would build first is planned as built, and named in a note.
  const wanted = [...selectServices(stack, services, opts.deps === false)];
  const pending = await withPendingBuilds(stack, observed, wanted);
  // And what it would pull first, planned as pulled.
  const pulls = await withPendingPulls(stack, pending.observed, wanted, storedImage);
  const reconciled = reconcile(stack, pulls.observed, options);
  return { ...reconciled, notes: [...pending.notes, ...pulls.notes, ...reconciled.notes] };
}
