// `stack cp SERVICE:SRC DEST` and `stack cp SRC SERVICE:DEST`: files between a service's
// container and the host, as docker compose cp.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { CpOptions } from './cp-action.js';

export function registerCp(program: Command, globals: () => GlobalOptions): void {
  program
    .command('cp')
    .description('copy files/folders between a service container and the local filesystem')
    .argument('<source>', 'SERVICE:SRC_PATH or a local path')
    .argument('<destination>', 'a local path or SERVICE:DEST_PATH')
    .option('-a, --archive', 'keep the owners (uid/gid) of what is copied')
    .option('-L, --follow-link', 'follow a symlink that SRC_PATH itself is')
    .option('--index <n>', 'the replica, when the service has several (to the container: default all)')
    .option('--all', 'also the containers of `stack run`')
    .action((source: string, destination: string, opts: CpOptions) =>
      runCommand(async () => (await import('./cp-action.js')).cp(globals(), source, destination, opts)),
    );
}
