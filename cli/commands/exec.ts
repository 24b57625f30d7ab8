// `stack exec [-T | -i -t] [-u USER] [-w DIR] [-e K=V]… [--index N] SERVICE COMMAND…`: run a
// command inside a running container of the stack and exit with its exit code.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { ExecCliOptions } from './exec-action.js';

export function registerExec(program: Command, globals: () => GlobalOptions): void {
  program
    .command('exec')
    .description('run a command in a running container')
    .argument('<service>', 'service whose container runs the command')
    .argument('<command...>', 'the command and its arguments')
    .option('-T, --no-tty', 'no terminal, even when stdin is one')
    .option('-t, --tty', 'a terminal when stdin is one (the default; accepted for `exec -it`)')
    .option('-i, --interactive', 'accepted: stdin is always attached')
    .option('-u, --user <user>', "user (name, uid, name:group or uid:gid) from the container's /etc/passwd")
    .option('-w, --workdir <dir>', 'working directory inside the container')
    .option(
      '-e, --env <KEY=VALUE>',
      'set a variable (repeatable; KEY alone takes ours)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('-d, --detach', 'start the command and return; it runs on in the container')
    .option('--privileged', 'every capability and no seccomp filter for this process')
    .option('--index <n>', 'which replica of the service', '1')
    // Everything after the service belongs to the command: `stack exec web ls -l`.
    .passThroughOptions()
    .action((service: string, command: string[], opts: ExecCliOptions) =>
      runCommand(async () => (await import('./exec-action.js')).exec(globals(), service, command, opts)),
    );
}
