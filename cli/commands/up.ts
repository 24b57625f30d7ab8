// `stack up [-d]`: load and validate the file here, then hand the Stack to the stack's
// supervisor (started if none runs), which plans and applies it while we print progress.
// Attached (no -d), it then follows the containers' output until Ctrl-C, which takes the
// stack down.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { UpOptions } from './up-action.js';

export function registerUp(program: Command, globals: () => GlobalOptions): void {
  program
    .command('up')
    .description('create and start the stack, or change the running stack to match the file')
    .option('-d, --detach', 'return once the stack is up')
    .option('--force-recreate', 'recreate containers even if their configuration is unchanged')
    .option('--remove-orphans', 'remove containers of services no longer in the file')
    .action((opts: UpOptions) => runCommand(async () => (await import('./up-action.js')).up(globals(), opts)));
}
