// `stack kill [-s SIGNAL] [SERVICE…]`: a signal to the running containers' PID 1, as docker
// compose kill sends it (SIGKILL by default).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { KillOptions } from './kill-action.js';

export function registerKill(program: Command, globals: () => GlobalOptions): void {
  program
    .command('kill')
    .description("send a signal to the services' running containers")
    .argument('[services...]', 'services (default: all)')
    .option('-s, --signal <signal>', 'SIGKILL, SIGUSR1, HUP, 10, …', 'SIGKILL')
    .option('--remove-orphans', 'also remove containers of services the file no longer has')
    .action((services: string[], opts: KillOptions) =>
      runCommand(async () => (await import('./kill-action.js')).kill(globals(), services, opts)),
    );
}
