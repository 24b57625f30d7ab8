// What `stack plan` does (loaded only when it runs; see plan.ts).

import { observeStack } from '../../executor/host/linux/observe.js';
import { publishedPorts } from '../../planner/check-host-ports.js';
import { reconcile } from '../../planner/reconcile.js';
import { planToText } from '../../planner/plan-text.js';
import { loadStackFiles, type GlobalOptions } from '../stack-file.js';

export interface PlanOptions {
  format: string;
  forceRecreate?: boolean;
  removeOrphans?: boolean;
}

export async function plan(globals: GlobalOptions, opts: PlanOptions): Promise<void> {
  const stack = loadStackFiles(globals);
  const plan = reconcile(stack, await observeStack(stack.project, { publishedPorts: publishedPorts(stack) }), { forceRecreate: !!opts.forceRecreate, removeOrphans: !!opts.removeOrphans });
  process.stdout.write(opts.format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : planToText(plan));
}
