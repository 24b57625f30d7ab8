// `stack image import PATH [--tag REF]` and `stack image ls`.

import type { Command } from 'commander';
import { importOciLayout } from '../../executor/images/import-oci-layout.js';
import { listImages } from '../../executor/images/image-store.js';
import { runCommand } from '../errors.js';

export function registerImage(program: Command): void {
  const image = program.command('image').description('manage the local image store');
  image
    .command('import')
    .description('import an OCI image layout folder into the store')
    .argument('<path>', 'OCI image layout folder')
    .option('--tag <ref>', 'reference to store it under (default: the layout\'s ref name)')
    .action((dir: string, opts: { tag?: string }) =>
      runCommand(async () => {
        const info = await importOciLayout(dir, opts.tag ? { tag: opts.tag } : {});
        process.stdout.write(`${info.ref} ${info.id}\n`);
      }),
    );
  image
    .command('ls')
    .description('list stored images')
    .option('--format <format>', 'table or json', 'table')
    .action((opts: { format: string }) =>
      runCommand(async () => {
        const images = await listImages();
        if (opts.format === 'json') process.stdout.write(JSON.stringify(images, null, 2) + '\n');
        else for (const i of images) process.stdout.write(`${i.ref}  ${i.id.slice(0, 19)}  ${i.layers.length} layer(s)\n`);
      }),
    );
}
