// `stack plan [--format json]`: what `up` would do right now, each operation with its
// cause. A dry run: it only reads the host.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import { upFlags } from '../up-flags.js';
import type { PlanOptions } from './plan-action.js';

export function registerPlan(program: Command, globals: () => GlobalOptions): void {
  upFlags(
    program
      .command('plan')
      .argument('[service...]', 'plan as `up SERVICE…`')
      .description('show what `up` would change, and why (takes the flags of `up`)')
      .option('--format <format>', 'text or json', 'text'),
  ).action((services: string[], opts: PlanOptions) =>
    runCommand(async () => (await import('./plan-action.js')).plan(globals(), opts, services)),
  );
}
