// `stack events [--format json]`: the stack's lifecycle events as they happen (create,
// start, die, health_status, restart, stop, destroy), until Ctrl-C.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { EventsOptions } from './events-action.js';

export function registerEvents(program: Command, globals: () => GlobalOptions): void {
  program
    .command('events')
    .description("stream the containers' lifecycle events")
    .option('--format <format>', 'text or json (one JSON object per line)', 'text')
    .action((opts: EventsOptions) =>
      runCommand(async () => (await import('./events-action.js')).events(globals(), opts)),
    );
}
