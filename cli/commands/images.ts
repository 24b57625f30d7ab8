// `stack images [SERVICE…] [--format table|json] [-q]`: the images the stack's containers
// use, as docker compose images lists them.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { ImagesOptions } from './images-action.js';

export function registerImages(program: Command, globals: () => GlobalOptions): void {
  program
    .command('images')
    .description("list the images the stack's containers use")
    .argument('[services...]', 'services (default: all)')
    .option('--format <format>', 'table or json', 'table')
    .option('-q, --quiet', 'only the image ids')
    .action((services: string[], opts: ImagesOptions) =>
      runCommand(async () => (await import('./images-action.js')).images(globals(), services, opts)),
    );
}
