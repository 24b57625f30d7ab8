// `stack build [--no-cache] [--pull] [--build-arg K=V]… [--progress auto|plain|quiet] [SERVICE…]`:
// builds the images of the services with `build:` (all, or those named, with the images
// their `service:` contexts take), daemonless, and stores them like pulled ones.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { BuildOptions } from './build-action.js';

export function registerBuild(program: Command, globals: () => GlobalOptions): void {
  program
    .command('build')
    .argument('[service...]', 'only these services (default: every service with `build:`)')
    .description("build the services' images from their Dockerfiles and store them")
    .option('--no-cache', 'run every step again instead of taking it from the build cache')
    .option('--pull', 'pull the FROM images again even when they are stored')
    .option(
      '--build-arg <key=value>',
      'set a build argument (repeatable; KEY alone takes the environment variable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--progress <mode>', 'auto (live on a terminal), plain (numbered lines) or quiet', 'auto')
    .action((services: string[], opts: BuildOptions) =>
      runCommand(async () => (await import('./build-action.js')).build(globals(), opts, services)),
    );
}
