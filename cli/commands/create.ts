// `stack create [SERVICE…]`: docker compose create. stack has no created-but-not-started
// container (a container here is its running process: its namespaces, cgroup and overlay
// exist only while it runs), so create does what `up --no-start` does: pulls and builds
// the images and makes the networks, and starts no container; `up` or `start` then starts
// them (docs/cli.md, "Create").

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
      .description(
        'pull and build the images and make the networks, starting no container (stack has no created state)',
      )
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
    runCommand(async () => (await import('./up-action.js')).up(globals(), { ...opts, start: false }, services)),
  );
}
