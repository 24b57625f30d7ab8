// `stack config [--format yaml|json] [-q] [--services] [--volumes] [--networks] [--images]
// [--profiles] [--hash SERVICES] [-o FILE] [--environment] [--variables] [--no-interpolate]
// [--no-normalize]`: the
// file as stack understands it, fully resolved in canonical Compose form, one of its
// lists, the config hash of services, or only its validation (-q).

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
    .option('--services', 'print the service names, one per line')
    .option('--volumes', 'print the volume names, one per line')
    .option('--networks', 'print the network names, one per line')
    .option('--images', 'print the image of each service, one per line')
    .option('--profiles', 'print the profiles the file defines, one per line')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('--hash <services>', 'print "service hash" for the services ("*" for all, or a comma-separated list)')
    .option('--environment', 'print the variables interpolation sees, KEY=VALUE')
    .option('--variables', 'print the variables the files use, with their defaults (a table, or --format json)')
    .option('--no-interpolate', 'print the files merged, variables kept as written')
    .option('--no-normalize', 'print the files merged and interpolated, not normalised')
    .action((opts: ConfigOptions) =>
      runCommand(async () => (await import('./config-action.js')).config(globals(), opts)),
    );
}
