// `stack image import PATH [--tag REF]`, `pull REF`, `push REF`, `save REF… -o FILE`, `ls`,
// `rm [-f] REF…`, `prune [--all]`.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { ImageImportOptions, ImageLsOptions, ImagePruneOptions, ImageRmOptions } from './image-action.js';
import type { ImagePullOptions } from './image-pull-action.js';
import type { ImagePushOptions } from './push-action.js';
import type { ImageSaveOptions } from './image-save-action.js';

export function registerImage(program: Command): void {
  const image = program.command('image').description('manage the local image store');
  image
    .command('import')
    .description(
      'import an image into the store: an OCI layout folder, an OCI archive (tar of a layout) or a `docker save` tar',
    )
    .argument('<path>', 'OCI layout folder or image archive (.tar, .tar.gz, .tar.zst)')
    .option('--tag <ref>', 'reference to store it under (default: the name in the layout or archive)')
    .option('--platform <os/arch>', "platform to pick from a multi-platform image (default: the host's)")
    .action((dir: string, opts: ImageImportOptions) =>
      runCommand(async () => (await import('./image-action.js')).imageImport(dir, opts)),
    );
  image
    .command('pull')
    .description(
      'pull an image from a registry into the store (credentials: STACK_REGISTRY_AUTH or ~/.docker/config.json)',
    )
    .argument('<ref>', 'image reference, e.g. busybox or 127.0.0.1:5000/app:1')
    .option('--platform <os/arch>', "platform to pick from a multi-platform image (default: the host's)")
    .action((ref: string, opts: ImagePullOptions) =>
      runCommand(async () => (await import('./image-pull-action.js')).imagePull(ref, opts)),
    );
  image
    .command('push')
    .description('push a stored image to the registry its reference names (same credentials as pull)')
    .argument('<ref>', 'image reference, e.g. 127.0.0.1:5000/app:1')
    .option('-q, --quiet', 'push without printing progress')
    .action((ref: string, opts: ImagePushOptions) =>
      runCommand(async () => (await import('./push-action.js')).imagePush(ref, opts)),
    );
  image
    .command('save')
    .description('write images to an OCI archive (a tar of an OCI image layout, as `docker save` writes)')
    .argument('<ref...>', 'image references')
    .requiredOption('-o, --output <file>', 'the archive to write')
    .action((refs: string[], opts: ImageSaveOptions) =>
      runCommand(async () => (await import('./image-save-action.js')).imageSave(refs, opts)),
    );
  image
    .command('ls')
    .description('list stored images')
    .option('--format <format>', 'table or json', 'table')
    .action((opts: ImageLsOptions) => runCommand(async () => (await import('./image-action.js')).imageLs(opts)));
  image
    .command('rm')
    .description(
      "remove images from the store (refused while a stack's container uses one, unless -f); layers stay until prune",
    )
    .argument('<ref...>', 'image references')
    .option('-f, --force', 'remove even if a container uses it')
    .action((refs: string[], opts: ImageRmOptions) =>
      runCommand(async () => (await import('./image-action.js')).imageRm(refs, opts)),
    );
  image
    .command('prune')
    .description(
      "remove every image no stack's container uses, then the layers, blobs and build-cache entries nothing references",
    )
    .option('-a, --all', "also the whole build cache and RUN's cache mounts (as `docker builder prune --all`)")
    .action((opts: ImagePruneOptions) => runCommand(async () => (await import('./image-action.js')).imagePrune(opts)));
}
