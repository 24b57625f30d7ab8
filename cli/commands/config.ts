// `stack config [--format yaml|json] [-q]`: the file as stack understands it, fully
// resolved, or only its validation (-q).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { ConfigOptions } from './config-action.js';

export function registerConfig(program: Command, globals: () => GlobalOptions): void {
  program
    .command('config')
    .description('validate the stack file and print it resolved')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('-q, --quiet', 'only validate')
    .action((opts: ConfigOptions) => runCommand(async () => (await import('./config-action.js')).config(globals(), opts)));
}
