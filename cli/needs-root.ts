// stack drives the kernel and keeps root-only state (STACK_ROOT and STACK_RUN are 0700).
// Run by an ordinary user, a command that reads or changes host state runs in rootless
// mode instead (rootless-entry.ts): again, inside the user's own namespaces, on the user's
// own STACK_ROOT and STACK_RUN. Commands that read nothing but the stack file (config,
// graph), doctor and --help run as they are for everyone. The check is geteuid, no extra
// import: it costs the command's start nothing measurable.

import type { Command } from 'commander';
import { tightenStackDirs } from '../store/tighten-modes.js';
import { EXIT, renderError } from './errors.js';

// doctor runs for everyone: its first check is the one that says stack needs root; version
// reads only its own package.json.
// bin/rootless-enter.sh keeps these on the host side too (test/cli/rootless-launcher.test.ts checks).
export const FOR_EVERYONE = new Set(['config', 'graph', 'doctor', 'version', 'completion', '__complete']);

/** Checks, before every command's action, that it may run; makes an older STACK_ROOT private. */
export function guardHostCommands(program: Command): void {
  program.hook('preAction', async (_program, action) => {
    let command = action;
    while (command.parent && command.parent !== program) command = command.parent;
    if (FOR_EVERYONE.has(command.name())) return;
    if (process.geteuid?.() !== 0) {
      // Rootless mode: the command runs again as root of the user's namespaces, and its code is ours.
      try {
        const { runRootless } = await import('./rootless-entry.js');
        process.exit(await runRootless(command.name()));
      } catch (err) {
        const { text, code } = await renderError(err);
        process.stderr.write(`${text}\n`);
        process.exit(code);
      }
    }
    try {
      tightenStackDirs();
    } catch (err) {
      const { text } = await renderError(err);
      process.stderr.write(`${text}\n`);
      process.exit(EXIT.error);
    }
  });
}
