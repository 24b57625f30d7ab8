// `stack create [SERVICE…]`: docker compose create. Pulls and builds the images, makes the
// networks and the NAT table, and creates the containers that do not exist yet: a record
// in the `created` state, its folders and cgroup (executor/create-container.ts), no process
// (its namespaces and the overlay mount exist only with one). `ps -a` shows them created;
// `start` or `up` starts them, `down`/`rm` remove them (docs/cli.md, "Create").

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import { upFlags } from '../up-flags.js';
import type { UpOptions } from './up-action.js';

export function registerCreate(program: Command, globals: () => GlobalOptions): void {
  upFlags(
    program
      .command('create')
      .argument('[service...]', 'only these services and what they depend on')
      .description('pull and build the images, make the networks and create the containers without starting them')
      .option('--build', 'build the images of services with `build:` first, even those already stored')
      .option('--no-build', 'build nothing; a service whose image is missing is an error')
      .option(
        '--pull <policy>',
        'always, missing, never, build, or policy (each service its own; the default)',
        'policy',
      )
      .option('--quiet-pull', 'pull without progress')
      .option('-y, --yes', 'assume yes to every question (stack asks none)'),
  ).action((services: string[], opts: UpOptions) =>
    runCommand(async () => (await import('./up-action.js')).up(globals(), { ...opts, create: true }, services)),
  );
}
