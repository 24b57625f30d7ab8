// The one-shot `run` command line is read without commander (cli/one-shot-args.ts): it must
// take exactly the form it is for, and hand the run action what commander hands it for the
// same words; everything else goes to commander.

import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parseOneShotRun } from '../../cli/one-shot-args.js';
import { registerRun } from '../../cli/commands/run.js';

/** What commander gives the `run` action for `args`, or its error's code. */
function commanderReads(args: string[]): { first?: string; rest: string[]; opts: Record<string, unknown> } | string {
  const program = new Command('stack').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  program.enablePositionalOptions();
  registerRun(program, () => ({}));
  let got: { first?: string; rest: string[]; opts: Record<string, unknown> } | undefined;
  const run = program.commands.find((c) => c.name() === 'run')!;
  run.exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  run.action((first: string | undefined, rest: string[], opts: Record<string, unknown>) => {
    got = { ...(first !== undefined ? { first } : {}), rest, opts };
  });
  try {
    program.parse(args, { from: 'user' });
  } catch (err) {
    return (err as { code: string }).code;
  }
  return got!;
}

const IMAGE = 'stack.local/busybox:latest';

describe('the one-shot run command line', () => {
  it.each([
    [['run', '--rm', '--image', IMAGE, '--network', 'none', '--', '/bin/true']],
    [['run', '--rm', '--image', IMAGE, '/bin/true']],
    [['run', '--image', IMAGE, '--rm', '/bin/sh', '-c', 'exit 3']],
    [['run', '--network', 'none', '--image', IMAGE, '--rm', '--', '/bin/ls', '-l', '--', '-x']],
    [['run', '--rm', '--image', IMAGE, '/bin/echo', '--rm', '--help', '-e', 'X=1']],
    [['run', '--rm', '--image', IMAGE, '--', '--help']],
  ])('%j means what it means to commander', (args) => {
    const fast = parseOneShotRun(args);
    const full = commanderReads(args);
    expect(fast).toBeDefined();
    expect(typeof full).toBe('object');
    const c = full as Exclude<typeof full, string>;
    expect(fast!.command).toEqual([c.first, ...c.rest]);
    expect(fast!.image).toBe(c.opts.image);
    expect(c.opts.rm).toBe(true);
    expect(fast!.network).toBe(c.opts.network);
    // commander's defaults of the negatable flags (--no-deps, --no-TTY) are all the action sees besides
    expect(Object.keys(c.opts).sort()).toEqual(
      ['TTY', 'deps', 'image', 'rm', ...(c.opts.network ? ['network'] : [])].sort(),
    );
  });

  it.each([
    [['run', '--image', IMAGE, '/bin/true']], // no --rm
    [['run', '--rm', '/bin/true']], // no --image
    [['run', '--rm', '--image', IMAGE]], // no command
    [['run', '--rm', '--image', IMAGE, '--']],
    [['run', '--rm', '--image=' + IMAGE, '/bin/true']],
    [['run', '--rm', '--rm', '--image', IMAGE, '/bin/true']],
    [['run', '--rm', '--image', IMAGE, '--image', IMAGE, '/bin/true']],
    [['run', '--rm', '--image', '--network', 'none', '/bin/true']],
    [['run', '--rm', '--image', IMAGE, '--network', 'host', '/bin/true']],
    [['run', '--rm', '--image', IMAGE, '--network', '/bin/true']],
    [['run', '--rm', '--image', IMAGE, '-e', 'A=1', '/bin/true']],
    [['run', '--rm', '--image', IMAGE, '--help']],
    [['run', '--rm', '-d', '--image', IMAGE, '/bin/true']],
    [['-p', 'x', 'run', '--rm', '--image', IMAGE, '/bin/true']],
    [['up', '--rm', '--image', IMAGE, '/bin/true']],
  ])('leaves %j to commander', (args) => {
    expect(parseOneShotRun(args)).toBeUndefined();
  });
});
