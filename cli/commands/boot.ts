// `stack boot [-p NAME] [--print-unit]`: bring stacks back after a reboot, as docker does
// for `restart: always` and `unless-stopped` containers when its daemon starts. The entry
// point of the systemd unit `up` installs (cli/boot-unit.ts), and of any other init system.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import { validProjectName } from '../project-name-option.js';
import type { BootOptions } from './boot-action.js';

export function registerBoot(program: Command, globals: () => GlobalOptions): void {
  program
    .command('boot')
    .description(
      'bring stacks back after a reboot (restart: always, unless-stopped); every stack under STACK_ROOT, or -p NAME',
    )
    .option('-p, --project-name <name>', 'only this stack (as the global -p)', validProjectName)
    .option('--print-unit', 'print the systemd unit that runs this at boot (with -p), for installing by hand')
    .action((opts: BootOptions) => runCommand(async () => (await import('./boot-action.js')).boot(globals(), opts)));
}
