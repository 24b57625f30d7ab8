// stack drives the kernel and keeps root-only state (STACK_ROOT and STACK_RUN are 0700):
// until a rootless mode exists, a command that reads or changes host state needs root.
// Run by another user it says so before it touches anything, instead of failing on a raw
// EACCES halfway or showing what it happens to be able to read. Commands that read nothing
// but the stack file (config, graph), doctor (whose first check says this) and --help run
// for everyone. The check is geteuid, no extra import: it costs the command's start
// nothing measurable.

import type { Command } from 'commander';
import { tightenStackDirs } from '../store/tighten-modes.js';
import { EXIT, renderError } from './errors.js';

// doctor runs for everyone: its first check is the one that says stack needs root; version
// reads only its own package.json.
const FOR_EVERYONE = new Set(['config', 'graph', 'doctor', 'version', 'completion', '__complete']);

/** Checks, before every command's action, that it may run; makes an older STACK_ROOT private. */
export function guardHostCommands(program: Command): void {
  program.hook('preAction', async (_program, action) => {
    let command = action;
    while (command.parent && command.parent !== program) command = command.parent;
    if (FOR_EVERYONE.has(command.name())) return;
    if (process.geteuid?.() !== 0) {
      process.stderr.write(
        `stack needs root: \`stack ${command.name()}\` works on containers, kernel objects and stack's state, which only root may use.\n` +
          'Run it as root (e.g. with sudo); rootless mode is not supported yet.\n',
      );
      process.exit(EXIT.error);
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
