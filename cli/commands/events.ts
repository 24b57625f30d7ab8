// `stack events [--json] [--since T] [--until T]`: the stack's lifecycle events (create,
// start, die, health_status, restart, stop, destroy) as they happen, until Ctrl-C; with
// --since, first those kept from before (store/event-history.ts); with --until, up to then.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { EventsOptions } from './events-action.js';

export function registerEvents(program: Command, globals: () => GlobalOptions): void {
  program
    .command('events')
    .description("stream the containers' lifecycle events")
    .option('--format <format>', 'text or json (one JSON object per line)', 'text')
    .option('--json', 'as --format json (compose)')
    .option('--since <time>', 'first the kept events since a date, Unix seconds or a duration ago (10m)')
    .option('--until <time>', 'stop at this time (a past one: print the kept events and end)')
    .action((opts: EventsOptions) =>
      runCommand(async () => (await import('./events-action.js')).events(globals(), opts)),
    );
}
