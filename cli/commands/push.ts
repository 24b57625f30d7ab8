// `stack push [SERVICE…] [--ignore-push-failures] [-q]`: compose's push, of the images the
// stack builds (services with `build:` and an `image:`, and their `build.tags`).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { StackPushOptions } from './push-action.js';

export function registerPush(program: Command, globals: () => GlobalOptions): void {
  program
    .command('push')
    .description(
      'push the images of services that build theirs (`build:` with an `image:`, or `build.tags`) to their registries',
    )
    .argument('[services...]', 'services (default: all)')
    .option('--ignore-push-failures', 'push what can be pushed, warn about the rest')
    .option('-q, --quiet', 'push without printing progress')
    .action((services: string[], opts: StackPushOptions) =>
      runCommand(async () => (await import('./push-action.js')).stackPush(globals(), services, opts)),
    );
}
