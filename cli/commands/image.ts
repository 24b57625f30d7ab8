// `stack image import PATH [--tag REF]` and `stack image ls`.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { ImageImportOptions, ImageLsOptions } from './image-action.js';

export function registerImage(program: Command): void {
  const image = program.command('image').description('manage the local image store');
  image
    .command('import')
    .description('import an OCI image layout folder into the store')
    .argument('<path>', 'OCI image layout folder')
    .option('--tag <ref>', 'reference to store it under (default: the layout\'s ref name)')
    .action((dir: string, opts: ImageImportOptions) => runCommand(async () => (await import('./image-action.js')).imageImport(dir, opts)));
  image
    .command('ls')
    .description('list stored images')
    .option('--format <format>', 'table or json', 'table')
    .action((opts: ImageLsOptions) => runCommand(async () => (await import('./image-action.js')).imageLs(opts)));
}
