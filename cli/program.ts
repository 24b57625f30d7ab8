// The `stack` program before any command is registered: the global options (as docker
// compose has them) and the checks that run before every command. cli/main.ts registers
// every command on it; cli/run-main.ts only `run`, so both parse a `run` command line alike.

import { Command } from 'commander';
import { guardHostCommands } from './needs-root.js';
import { registerGlobalFlags } from './global-flags.js';
import type { GlobalOptions } from './stack-file.js';
import { validProjectName } from './project-name-option.js';
import { closeInheritedFds } from '../executor/host/linux/inherited-fds.js';

export function stackProgram(): { program: Command; globals: () => GlobalOptions } {
  // Only 0, 1 and 2 of the shell that runs us go on to the supervisor and containers: an fd
  // it left open (`stack up -d 30<secret`, a directory of the host's) would reach them all.
  closeInheritedFds();

  const program = new Command('stack')
    .description('daemonless, declarative containers for dev environments (Compose format)')
    .option(
      '-f, --file <file>',
      'stack file (repeatable; default stack.yaml, compose.yaml, …)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('-p, --project-name <name>', "project name (default: the file's `name:` or its folder)", validProjectName)
    .option(
      '--env-file <file>',
      'variables for interpolation instead of .env (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option(
      '--profile <profile>',
      'enable services of this profile (repeatable; default COMPOSE_PROFILES)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--project-directory <dir>', "folder for relative paths and .env (default: the first stack file's folder)")
    // Global options go before the command, as with docker compose: `stack -f F logs -f`
    // must read the second -f as the command's --follow, not as another stack file.
    .enablePositionalOptions()
    .exitOverride((err) => {
      process.exit(err.exitCode === 0 ? 0 : 2);
    });

  const globals = (): GlobalOptions => program.opts<GlobalOptions>();

  guardHostCommands(program);
  registerGlobalFlags(program, globals);
  return { program, globals };
}
