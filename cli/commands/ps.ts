// `stack ps [OPTIONS] [SERVICE…]`: the stack's containers, as docker compose's `ps`: running
// ones unless `-a`, in stack's table, compose's JSON objects, or a Go template.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { PsOptions } from './ps-action.js';

const repeat = (v: string, prev: string[] = []) => [...prev, v];

export function registerPs(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ps')
    .description("list the stack's containers (running ones unless -a)")
    .argument('[services...]', 'only the containers of these services')
    .option('-a, --all', 'also stopped containers (one-offs of `run` included)')
    .option('-q, --quiet', 'only the container IDs')
    .option('--services', 'only the service names')
    .option(
      '--status <status>',
      'only containers in this state (repeatable): ' + 'created, running, paused, exited, …',
      repeat,
    )
    .option('--filter <key=value>', 'only containers that match (repeatable; status=STATE, as compose)', repeat)
    .option('--no-trunc', 'do not shorten IDs, commands and mounts')
    .option('--orphans [bool]', 'include containers of services the file no longer has (--orphans=false: not)', true)
    .option(
      '--format <format>',
      'table, json (one compose object per line), or a Go template like {{.Name}} ("table TEMPLATE": columns)',
      'table',
    )
    .action((services: string[], opts: PsOptions) =>
      runCommand(async () => (await import('./ps-action.js')).ps(globals(), services, opts)),
    );
}
