// `stack watch`: apply every edit of the stack's files to the running stack, and act on
// the services' develop.watch rules (the watch loop of `up --watch`, without bringing
// anything up first or taking it down at Ctrl-C).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import { upFlags, type UpFlags } from '../up-flags.js';
import { progressFormatOption } from '../progress-format.js';

export function registerWatch(program: Command, globals: () => GlobalOptions): void {
  progressFormatOption(
    upFlags(
      program
        .command('watch')
        .description(
          "apply every edit of the stack files to the running stack, and act on the services' develop.watch rules, until Ctrl-C",
        ),
    ),
  ).action((opts: UpFlags & { format?: string }) =>
    runCommand(async () => (await import('./watch-action.js')).watch(globals(), opts)),
  );
}
