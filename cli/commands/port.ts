// `stack port SERVICE PRIVATE_PORT [--protocol tcp|udp] [--index N]`: the host address and
// port a container port is published on (also when stack chose the host port itself).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { PortOptions } from './port-action.js';

export function registerPort(program: Command, globals: () => GlobalOptions): void {
  program
    .command('port')
    .description('print the host address a container port is published on')
    .argument('<service>', 'the service')
    .argument('<private_port>', 'the port inside the container')
    .option('--protocol <protocol>', 'tcp or udp', 'tcp')
    .option('--index <n>', 'which replica of the service', '1')
    .action((service: string, privatePort: string, opts: PortOptions) =>
      runCommand(async () => (await import('./port-action.js')).port(globals(), service, privatePort, opts)),
    );
}
