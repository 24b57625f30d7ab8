// `stack volume ls|create|rm`: the host's volume store (STACK_ROOT/volumes).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { VolumeLsOptions } from './volume-action.js';

export function registerVolume(program: Command): void {
  const volume = program.command('volume').description('manage volumes');
  volume
    .command('ls')
    .description('list volumes and the stack that made each')
    .option('--format <format>', 'table or json', 'table')
    .action((opts: VolumeLsOptions) => runCommand(async () => (await import('./volume-action.js')).volumeLs(opts)));
  volume
    .command('create')
    .description('make a volume outside any stack (for `external: true`)')
    .argument('<name>')
    .action((name: string) => runCommand(async () => (await import('./volume-action.js')).volumeCreate(name)));
  volume
    .command('rm')
    .description('remove volumes and their data')
    .argument('<names...>')
    .action((names: string[]) => runCommand(async () => (await import('./volume-action.js')).volumeRm(names)));
}
