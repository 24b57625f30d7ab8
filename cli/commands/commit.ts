// `stack commit SERVICE [REPOSITORY[:TAG]]`: a service container's changes as a new image,
// as docker compose commit.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { CommitOptions } from './commit-action.js';

export function registerCommit(program: Command, globals: () => GlobalOptions): void {
  program
    .command('commit')
    .description("create a new image from a service container's changes")
    .argument('<service>', 'the service')
    .argument('[repository]', 'REPOSITORY[:TAG] of the new image (default: the container name)')
    .option('-a, --author <author>', 'author (e.g. "John Hannibal Smith <hannibal@a-team.com>")')
    .option(
      '-c, --change <instruction>',
      'apply a Dockerfile instruction to the image (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('-m, --message <message>', 'commit message')
    .option('-p, --pause', 'pause the container during the commit (the default)', true)
    .option('--no-pause', 'do not pause it')
    .option('--index <n>', 'the replica, when the service has several')
    .action((service: string, repository: string | undefined, opts: CommitOptions) =>
      runCommand(async () => (await import('./commit-action.js')).commit(globals(), service, repository, opts)),
    );
}
