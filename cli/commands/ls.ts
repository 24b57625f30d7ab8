// `stack ls [-a] [--filter name=…] [--format table|json] [-q]`: every stack on this host (its
// state under STACK_ROOT), as docker compose ls lists projects. Needs no stack file.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { LsOptions } from './ls-action.js';

export function registerLs(program: Command): void {
  program
    .command('ls')
    .description('list the stacks on this host')
    .option('-a, --all', 'also stacks with no running container')
    .option(
      '--filter <filter>',
      'only stacks whose name matches (name=REGEX; repeated: any)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'only the names')
    .action((opts: LsOptions) => runCommand(async () => (await import('./ls-action.js')).ls(opts)));
}
