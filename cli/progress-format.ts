// `--format text|json` of the commands that change a stack (up, down, stop, start,
// restart): text is the plan summary and one line per operation on stderr (a live list on
// a terminal); json is for machines, one JSON object per line on stdout — the plan, then
// each operation's start, done, failed or skipped event — as the supervisor sends them.
// Only commander here: every command registers its options at start-up.

import type { Command } from 'commander';
import { UsageError } from './usage-error.js';

export type ProgressFormat = 'text' | 'json';

export function progressFormatOption(command: Command): Command {
  return command.option(
    '--format <format>',
    'progress as text, or json: one JSON object per line on stdout (the plan, then every operation event)',
    'text',
  );
}

export function progressFormat(given: string | undefined): ProgressFormat {
  if (given === undefined || given === 'text' || given === 'json') return given ?? 'text';
  throw new UsageError(`--format takes text or json, not "${given}"`);
}
