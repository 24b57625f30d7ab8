// The command line's shape as completion needs it: commands, their flags (which take a
// value, and which values), and whether their arguments are services. Read from commander's
// registry itself, so completion can never offer a command or flag that does not exist.

import type { Command } from 'commander';
import { ANSI_MODES, PROGRESS_MODES } from '../terminal-mode.js';

export interface FlagNode {
  /** `-f`, `--file`. */
  names: string[];
  takesValue: boolean;
  values?: string[];
}

export interface CommandNode {
  name: string;
  flags: FlagNode[];
  subcommands: CommandNode[];
  /** Its arguments are service names (`up [service...]`, `logs [services...]`, …). */
  takesServices: boolean;
  /** The fixed choices of its first argument (`completion bash|zsh`). */
  argumentChoices?: string[];
}

/** Flags given as words whose value is a file or folder: the shell completes paths for them. */
export const PATH_FLAGS = new Set(['--file', '--env-file', '--project-directory']);

/** Values of the global flags that check them themselves (global-flags.ts) rather than through commander's choices. */
const KNOWN_VALUES: Record<string, readonly string[]> = { '--ansi': ANSI_MODES, '--progress': PROGRESS_MODES };

const valuesOf = (values: readonly string[] | undefined) => (values ? { values: [...values] } : {});

export function commandTree(command: Command): CommandNode {
  const choices = command.registeredArguments[0]?.argChoices;
  const known = (long: string | undefined) => (command.parent === null && long ? KNOWN_VALUES[long] : undefined);
  return {
    name: command.name(),
    flags: command.options.map((o) => ({
      names: [o.short, o.long].filter((n): n is string => !!n),
      takesValue: o.required || o.optional,
      ...valuesOf(o.argChoices ?? known(o.long)),
    })),
    subcommands: command.commands
      .filter((c) => !(c as unknown as { _hidden: boolean })._hidden)
      .map((c) => commandTree(c)),
    takesServices: command.registeredArguments.some((a) => /service/.test(a.name())),
    ...(choices ? { argumentChoices: [...choices] } : {}),
  };
}
