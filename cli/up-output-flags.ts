// Which containers' output attached `up` shows and how: --attach/--no-attach SVC,
// --no-log-prefix, --no-color, --timestamps, as docker compose has them. Only commander
// here (registered at start-up); the stack file is checked once `up` runs.

import { attachedByUp } from './attached-services.js';
import { Option, type Command } from 'commander';
import type { Stack } from '../model/types.js';
import { UsageError } from './usage-error.js';

export interface UpOutputFlags {
  attach?: string[];
  noAttach?: string[];
  /** false with --no-log-prefix. */
  logPrefix?: boolean;
  /** false with --no-color. */
  color?: boolean;
  timestamps?: boolean;
}

const repeat = (v: string, prev: string[] = []) => [...prev, v];

export function upOutputFlags(command: Command): Command {
  // commander reads any `--no-X` as the negation of `--X`; this one is a list of its own.
  const noAttach = new Option('--no-attach <service>', "do not show this service's output (repeatable)").argParser(
    repeat,
  );
  noAttach.negate = false;
  noAttach.attributeName = () => 'noAttach';
  return command
    .option('--attach <service>', "show only this service's output (repeatable)", repeat)
    .addOption(noAttach)
    .option('--no-log-prefix', 'print the output without the `service | ` prefix')
    .option('--no-color', 'no colours in the prefixes')
    .option('--timestamps', 'the time each line was written before it');
}

/** Whose output to show: the --attach services, else `named` (or all but `attach: false`), less --no-attach. */
export function attachedServices(flags: UpOutputFlags, stack: Stack, named: string[]): (service: string) => boolean {
  const unknown = [...(flags.attach ?? []), ...(flags.noAttach ?? [])].filter(
    (svc) => !stack.services.some((s) => s.name === svc),
  );
  if (unknown.length > 0)
    throw new UsageError(`--attach/--no-attach ${unknown.join(', ')}: no such service in the file`);
  const hidden = new Set(flags.noAttach ?? []);
  // --attach names them; else the services given, or every one without `attach: false`.
  const given = flags.attach?.length ? flags.attach : undefined;
  const byFile = attachedByUp(stack, named);
  return (service) => (given ? given.includes(service) : byFile({ service })) && !hidden.has(service);
}
