// `stack rm [-f] [-s] [-v] [SERVICE…]`: removes stopped service containers, as docker compose
// rm does, asking first unless -f.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { RmOptions } from './rm-action.js';

export function registerRm(program: Command, globals: () => GlobalOptions): void {
  program
    .command('rm')
    .description('remove stopped service containers')
    .argument('[services...]', 'services (default: all)')
    .option('-f, --force', "don't ask to confirm removal")
    .option('-s, --stop', 'stop the containers, if required, before removing')
    .option('-v, --volumes', 'remove any anonymous volumes attached to the containers')
    .action((services: string[], opts: RmOptions) =>
      runCommand(async () => (await import('./rm-action.js')).rm(globals(), services, opts)),
    );
}
