// `stack stats [SERVICE…]`: a live stream of the containers' CPU, memory, network and block
// I/O and pids, as docker compose stats shows it (`--no-stream`: one sample).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { StatsOptions } from './stats-action.js';

export function registerStats(program: Command, globals: () => GlobalOptions): void {
  program
    .command('stats')
    .description("show the containers' resource use")
    .argument('[services...]', 'services (default: all)')
    .option('-a, --all', 'also stopped containers (default: only running ones)')
    .option('--format <format>', 'table or json (one object per container and sample)', 'table')
    .option('--no-stream', 'one sample, then exit')
    .option('--no-trunc', 'accepted: stack does not truncate')
    .action((services: string[], opts: StatsOptions) =>
      runCommand(async () => (await import('./stats-action.js')).stats(globals(), services, opts)),
    );
}
