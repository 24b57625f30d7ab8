// `--dry-run`: a command that changes the host shows what it would do and changes nothing.
// Checked before the action runs (a preAction hook), so no lock, supervisor, pull, build or
// record is ever made; the plan comes from the same pure planners the supervisor runs, fed
// by an observation of the host (dry-run-action.ts, loaded only then). Commands that only
// read run as usual.

import type { Command } from 'commander';
import { CHANGES_HOST } from './command-effects.js';
import { runCommand } from './errors.js';
import { exitAfterOutput } from './exit-after-output.js';
import type { GlobalOptions } from './stack-file.js';

/** `image rm` for a subcommand, `up` for a command of the program itself. */
export function commandPath(program: Command, command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c && c !== program; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function dryRunHook(program: Command, globals: () => GlobalOptions & { dryRun?: boolean }): void {
  program.hook('preAction', async (_program, action) => {
    if (!globals().dryRun) return;
    const name = commandPath(program, action);
    if (!CHANGES_HOST.has(name)) return;
    await runCommand(async () =>
      (await import('./commands/dry-run-action.js')).dryRun(name, globals(), action.processedArgs, action.opts()),
    );
    await exitAfterOutput(Number(process.exitCode ?? 0));
  });
}
