// `stack plan [--format json]`: what `up` would do right now, each operation with its
// cause. A dry run: it only reads the host.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { PlanOptions } from './plan-action.js';

export function registerPlan(program: Command, globals: () => GlobalOptions): void {
  program
    .command('plan')
    .description('show what `up` would change, and why')
    .option('--format <format>', 'text or json', 'text')
    .option('--force-recreate', 'plan as `up --force-recreate`')
    .option('--remove-orphans', 'plan as `up --remove-orphans`')
    .action((opts: PlanOptions) => runCommand(async () => (await import('./plan-action.js')).plan(globals(), opts)));
}
