// `stack logs [-f] [--tail N] [-t] [--since T] [--until T] [--no-color] [--index N] [--no-log-prefix] [SERVICE…]`: the containers' output, read from their log files, each
// line prefixed with its service when several are shown.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { LogsOptions } from './logs-action.js';

export function registerLogs(program: Command, globals: () => GlobalOptions): void {
  program
    .command('logs')
    .description("show the containers' output")
    .argument('[services...]', 'services to show (default: all)')
    .option('-f, --follow', 'keep printing new output')
    .option('-n, --tail <lines>', 'only the last LINES lines of each container ("all": everything)')
    .option('--no-color', 'plain service prefixes (the default when output is not a terminal)')
    .option('-t, --timestamps', 'show when each line was written (to within 50 ms)')
    .option(
      '--since <time>',
      'only lines written since a date (2026-12-02T10:00:00Z), Unix seconds, or a duration ago (10m, 1h30m)',
    )
    .option('--until <time>', 'only lines written before a date, Unix seconds, or a duration ago')
    .option('--index <n>', 'only replica N of the services')
    .option('--no-log-prefix', 'no service prefix before each line')
    .action((services: string[], opts: LogsOptions) =>
      runCommand(async () => (await import('./logs-action.js')).logs(globals(), services, opts)),
    );
}
