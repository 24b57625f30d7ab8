// `stack wait [--down-project] [SERVICE…]`: blocks until the services' containers stop, and
// exits with the exit code of the last one to stop, as docker compose wait does.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { WaitOptions } from './wait-action.js';

export function registerWait(program: Command, globals: () => GlobalOptions): void {
  program
    .command('wait')
    .description("block until the services' containers stop; exit with the last one's exit code")
    .argument('[services...]', 'services (default: all)')
    .option('--down-project', 'take the stack down when the first container stops')
    .action((services: string[], opts: WaitOptions) =>
      runCommand(async () => (await import('./wait-action.js')).wait(globals(), services, opts)),
    );
}
