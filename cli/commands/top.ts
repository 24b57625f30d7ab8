// `stack top [SERVICE…]`: the processes of each running container, as docker compose top
// prints them (ps -ef's columns under each container's name).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';

export function registerTop(program: Command, globals: () => GlobalOptions): void {
  program
    .command('top')
    .description('show the processes running in the containers')
    .argument('[services...]', 'services (default: all)')
    .action((services: string[]) => runCommand(async () => (await import('./top-action.js')).top(globals(), services)));
}
