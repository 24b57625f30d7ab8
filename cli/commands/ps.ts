// `stack ps [--format json]`: the stack's containers, their state, pids and addresses.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { PsOptions } from './ps-action.js';

export function registerPs(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ps')
    .description("list the stack's containers")
    .option('--format <format>', 'table or json', 'table')
    .action((opts: PsOptions) => runCommand(async () => (await import('./ps-action.js')).ps(globals(), opts)));
}
