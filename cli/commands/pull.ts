// `stack pull [--ignore-buildable] [-q] [--policy missing|always] [--include-deps] [SERVICE…]`:
// the images of the stack's services into the store, as `docker compose pull`.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { PullOptions } from './pull-action.js';

export function registerPull(program: Command, globals: () => GlobalOptions): void {
  program
    .command('pull')
    .description("pull the images of the stack's services")
    .argument('[services...]', 'only these services (default: all)')
    .option('--ignore-buildable', 'skip the services that have build:')
    .option('-q, --quiet', 'no progress, only what fails')
    .option('--policy <policy>', 'missing (only what the store lacks) or always', 'always')
    .option('--include-deps', 'with SERVICE…: also the services they depend on')
    .option('--ignore-pull-failures', 'warn about an image that cannot be pulled and go on')
    .action((services: string[], opts: PullOptions) =>
      runCommand(async () => (await import('./pull-action.js')).pull(globals(), services, opts)),
    );
}
