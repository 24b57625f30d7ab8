// `stack plan [--format json]`: what `up` would do right now, each operation with its
// cause. A dry run: it only reads the host.

import type { Command } from 'commander';
import { observeStack } from '../../executor/host/linux/observe.js';
import { publishedPorts } from '../../planner/check-host-ports.js';
import { reconcile } from '../../planner/reconcile.js';
import { planToText } from '../../planner/plan-text.js';
import { runCommand } from '../errors.js';
import { loadStackFiles, type GlobalOptions } from '../stack-file.js';

export function registerPlan(program: Command, globals: () => GlobalOptions): void {
  program
    .command('plan')
    .description('show what `up` would change, and why')
    .option('--format <format>', 'text or json', 'text')
    .option('--force-recreate', 'plan as `up --force-recreate`')
    .option('--remove-orphans', 'plan as `up --remove-orphans`')
    .action((opts: { format: string; forceRecreate?: boolean; removeOrphans?: boolean }) =>
      runCommand(async () => {
        const stack = loadStackFiles(globals());
        const plan = reconcile(stack, await observeStack(stack.project, { publishedPorts: publishedPorts(stack) }), { forceRecreate: !!opts.forceRecreate, removeOrphans: !!opts.removeOrphans });
        process.stdout.write(opts.format === 'json' ? JSON.stringify(plan, null, 2) + '\n' : planToText(plan));
      }),
    );
}
