// `stack down [-t N] [-v] [--rmi local|all] [--remove-orphans]`: stop and remove every container, network, NAT table and record
// of the stack, working from the state records alone (the file may have changed); with -v
// its volumes too.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import { progressFormatOption } from '../progress-format.js';
import type { DownOptions } from './down-action.js';

export function registerDown(program: Command, globals: () => GlobalOptions): void {
  progressFormatOption(program.command('down'))
    .description('stop and remove everything the stack made')
    .option('-t, --timeout <seconds>', "grace period before SIGKILL (default: each service's stop_grace_period)")
    .option('--rmi <type>', 'then remove the images: local (built ones without an image: name) or all')
    .option('-v, --volumes', 'also remove the volumes the stack created, named and anonymous (never external ones)')
    // compose removes orphans only with this flag; down works from the state records, so it
    // removes every container the stack made anyway. Accepted so compose habits work.
    .option(
      '--remove-orphans',
      'accepted for compose compatibility: down always removes containers of services no longer in the file',
    )
    .action((opts: DownOptions) => runCommand(async () => (await import('./down-action.js')).down(globals(), opts)));
}
