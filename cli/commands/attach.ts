// `stack attach SERVICE`: this terminal on a running service container's output (and its
// stdin when it was started with `stdin_open`), as docker compose attach.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { AttachOptions } from './attach-action.js';

export function registerAttach(program: Command, globals: () => GlobalOptions): void {
  program
    .command('attach')
    .description("attach to a service's running container: its output, and its input with stdin_open")
    .argument('<service>', 'the service')
    .option('--index <n>', 'the replica, when the service has several')
    .option('--no-stdin', 'do not attach stdin')
    .option('--sig-proxy [bool]', 'send the signals this process receives to the container (default true)', 'true')
    .option('--detach-keys <keys>', 'the keys that detach (default ctrl-p,ctrl-q)', 'ctrl-p,ctrl-q')
    .action((service: string, opts: AttachOptions) =>
      runCommand(async () => (await import('./attach-action.js')).attach(globals(), service, opts)),
    );
}
