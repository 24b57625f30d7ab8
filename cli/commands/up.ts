// `stack up [-d] [SERVICE…]`: load and validate the file here, then hand the Stack to the
// stack's supervisor (started if none runs), which plans and applies it while we print
// progress. Attached (no -d), it then follows the containers' output until Ctrl-C, which
// takes the stack down. With --watch, every edit of the files the stack was loaded from is
// applied too (see watch-action.ts).

import type { Command } from 'commander';
import { EXIT, runCommand } from '../errors.js';
import { exitAfterOutput } from '../exit-after-output.js';
import type { GlobalOptions } from '../stack-file.js';
import { progressFormatOption } from '../progress-format.js';
import { upFlags } from '../up-flags.js';
import { upOutputFlags } from '../up-output-flags.js';
import type { UpOptions } from './up-action.js';

export function registerUp(program: Command, globals: () => GlobalOptions): void {
  upFlags(
    upOutputFlags(
      progressFormatOption(
        program
          .command('up')
          .argument('[service...]', 'only these services and what they depend on')
          .description('create and start the stack, or change the running stack to match the file')
          .option('-d, --detach', 'return once the stack is up')
          .option(
            '--wait',
            'return once every container is running, or healthy when it has a healthcheck (one-shots: exited 0); exit 1 if one cannot be',
          )
          .option('--wait-timeout <seconds>', 'give up waiting after this long')
          .option('--watch', 'keep watching the stack files and apply every edit')
          .option('--build', 'build the images of services with `build:` first, even those already stored')
          .option('--no-build', 'build nothing; a service whose image is missing is an error')
          .option('--abort-on-container-exit', 'attached: stop every container once one exits')
          .option('--abort-on-container-failure', 'attached: stop every container once one exits with a non-zero code')
          .option('-t, --timeout <seconds>', 'stop grace period of the containers up replaces or stops, over their own')
          .option('-y, --yes', 'assume yes to every question (stack asks none)')
          .option('--quiet-pull', 'pull without progress')
          .option(
            '--no-start',
            'pull and build the images and make the networks, but start no container (stack has no created state)',
          )
          .option(
            '--exit-code-from <service>',
            "exit with this service's exit code (implies --abort-on-container-exit)",
          ),
      ),
    ),
  ).action(async (services: string[], opts: UpOptions) => {
    await runCommand(async () => {
      // The supervisor boots while the rest of `up` loads (launch.ts says when it does);
      // bin/stack.js may have started it already. Imported here, not at the top: its
      // node:child_process would cost every other command's start ~6 ms of CPU; in the
      // bundle this import is a call, not a file read.
      const { earlySupervisorForUp, retireEarlySupervisor } = await import('../../supervisor/launch.js');
      const early = earlySupervisorForUp();
      try {
        return await (await import('./up-action.js')).up(globals(), opts, services, early);
      } catch (err) {
        // A broken file or a refused plan: the early supervisor never learnt its project.
        if (early) await retireEarlySupervisor(early);
        throw err;
      }
    });
    // A detached `up` that succeeded is done: everything it started has settled (the
    // supervisor's answer, the boot unit, the config files). Exiting now skips the wait for
    // the event loop to drain and V8's teardown of the heap, which came after the stack was
    // up (ms after the last `done`). Not before stdout and stderr are written out.
    if (opts.detach && !opts.watch && process.exitCode === EXIT.ok) await exitAfterOutput();
  });
}
