// docker compose's global flags that are not about the stack file: --ansi, --progress,
// --parallel, --dry-run and --compatibility (COMPOSE_COMPATIBILITY, which the loader
// reads from the project's environment) (stack-file.ts reads -f, -p, --env-file, --profile and
// --project-directory). The first three are copied into their COMPOSE_* variables once
// the command line is read, so a flag wins over the variable and every part of the CLI
// (and the supervisor client, for --parallel) asks the variable alone. A bad value, from
// the flag or the variable, is a usage error (exit 2) before anything runs.

import type { Command } from 'commander';
import { EXIT } from './errors.js';
import { dryRunHook } from './dry-run.js';
import { settleGlobalFlags, type GlobalFlags } from './settle-global-flags.js';

export { settleGlobalFlags, type GlobalFlags };

export function registerGlobalFlags(program: Command, globals: () => GlobalFlags): void {
  program
    .option('--ansi <when>', 'colour and live progress: never, always or auto (default: COMPOSE_ANSI, else auto)')
    .option(
      '--progress <type>',
      'progress output: auto, tty (live list), plain (a line per step), json (a JSON object per line on stdout) or quiet (default: COMPOSE_PROGRESS, else auto)',
    )
    .option('--parallel <n>', 'at most N operations at once, -1 for no limit (default: COMPOSE_PARALLEL_LIMIT, else 8)')
    .option('--dry-run', 'show what a command would change, and change nothing')
    .option('--compatibility', "compose v1's names: project_service_1 (sets COMPOSE_COMPATIBILITY)");
  program.hook('preAction', () => {
    const problem = settleGlobalFlags(globals());
    if (problem) {
      process.stderr.write(`stack: ${problem}\n`);
      process.exit(EXIT.usage);
    }
  });
  dryRunHook(program, globals);
}
