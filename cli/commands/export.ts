// `stack export SERVICE -o FILE`: a service container's filesystem as a tar, as docker
// compose export.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { ExportOptions } from './export-action.js';

export function registerExport(program: Command, globals: () => GlobalOptions): void {
  program
    .command('export')
    .description("export a service container's filesystem as a tar archive")
    .argument('<service>', 'the service')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--index <n>', 'the replica, when the service has several')
    .action((service: string, opts: ExportOptions) =>
      runCommand(async () => (await import('./export-action.js')).exportService(globals(), service, opts)),
    );
}
