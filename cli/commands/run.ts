// `stack run [--rm] [-e K=V]… [--entrypoint CMD] [-u USER] [-w DIR] SERVICE [COMMAND…]`: a
// one-off container of a service of the stack file; and `stack run --rm --image REF
// [--network none] [--memory SIZE] -- COMMAND…` without a stack file. Attached: the
// container's stdin, stdout and stderr are ours, and we exit with its exit code.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { RunCliOptions } from './run-action.js';

const repeat = (v: string, prev: string[] = []) => [...prev, v];

export function registerRun(program: Command, globals: () => GlobalOptions): void {
  program
    .command('run')
    .description('run a one-off container of a service (or of an image with --image), attached, with its exit code')
    .argument('[service]', 'service of the stack file (with --image: the command)')
    .argument('[command...]', "command and arguments, replacing the service's command")
    .option('--rm', 'remove the container when it exits')
    .option('-d, --detach', 'start it and return, printing its name; its output goes to its log, its exit code to ps')
    .option('--name <name>', 'name of the container (ps, DNS) instead of <project>-<service>-run-<id>')
    .option('-l, --label <KEY=VALUE>', 'add a label (repeatable)', repeat)
    .option('--cap-add <cap>', 'add a capability (repeatable)', repeat)
    .option('--cap-drop <cap>', 'drop a capability (repeatable)', repeat)
    .option('--pull <policy>', "pull the image first: always, missing, never or policy (the service's pull_policy)")
    .option(
      '-p, --publish <[ip:][host:]container[/proto]>',
      'publish a container port on the host while it runs (repeatable; the `ports:` short syntax)',
      repeat,
    )
    .option('-P, --service-ports', "publish the service's own `ports:` (a one-off publishes none by default)")
    .option('--use-aliases', "the service's network aliases name the one-off too")
    .option(
      '-v, --volume <spec>',
      'mount this too, as a short `volumes:` entry (repeatable; replaces one at the same target)',
      repeat,
    )
    .option('--no-deps', 'do not start the services it depends on')
    .option('--quiet-pull', 'pull what is missing without progress')
    .option('-T, --no-TTY', 'accepted: the one-off has no terminal of its own (its stdio is ours)')
    .option('-i, --interactive', 'accepted: stdin is always attached')
    .option('-t, --tty', 'accepted: stdin, stdout and stderr are ours as they are')
    .option('--image <ref>', 'run this image from the store instead of a service (no stack file needed)')
    .option('--network <mode>', 'with --image: `none` (the only mode for now: loopback only)')
    .option('-m, --memory <size>', 'memory limit, e.g. 64m')
    .option('-e, --env <KEY=VALUE>', 'set a variable (repeatable; KEY alone takes ours)', repeat)
    .option('--entrypoint <cmd>', 'replace the entrypoint (a command line, split like a shell)')
    .option('-u, --user <user>', "user (name, uid, name:group or uid:gid) from the image's /etc/passwd")
    .option('-w, --workdir <dir>', 'working directory inside the container')
    // Everything after the service belongs to the command: `stack run web ls -l`.
    .passThroughOptions()
    .action((service: string | undefined, command: string[], opts: RunCliOptions) =>
      runCommand(async () => (await import('./run-action.js')).run(globals(), service, command, opts)),
    );
}
