// `stack help COMMAND` shows examples for every registered command, and each example uses
// only flags the command (or stack itself) has: an example cannot go stale unnoticed.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLES } from '../../cli/help-examples.js';
import { makeStackEnv, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
beforeAll(() => (env = makeStackEnv()));
afterAll(() => env.dispose());

/** The commands `stack [GROUP] --help` lists, as paths (`help` is commander's own). */
function commandsOf(group: string[]): string[] {
  const help = stack(env, [...group, '--help']).stdout;
  return [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}([a-z][\w-]*)/gm)]
    .map((m) => m[1]!)
    .filter((c) => c !== 'help')
    .map((c) => [...group, c].join(' '));
}

describe('help examples', () => {
  const globalHelp = () => stack(env, ['--help']).stdout;

  it('every registered command has some, shown by `stack help COMMAND` and `COMMAND --help`', () => {
    const paths = [...commandsOf([]), ...commandsOf(['image']), ...commandsOf(['volume'])];
    expect(paths.length).toBeGreaterThan(30);
    expect(paths.filter((p) => !EXAMPLES[p])).toEqual([]);
    const help = stack(env, ['help', 'up']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Examples:\n  $ stack up -d');
    for (const p of paths) expect(stack(env, [...p.split(' '), '--help']).stdout).toContain('\nExamples:\n  $ ');
  });

  it("each example's flags exist on its command or globally", () => {
    const global = globalHelp();
    const stale: string[] = [];
    for (const [path, lines] of Object.entries(EXAMPLES)) {
      const help = stack(env, [...path.split(' '), '--help']).stdout;
      for (const line of lines) {
        const command = line.split(' #')[0]!;
        for (const flag of command.match(/(?<=\s)--?[a-zA-Z][\w-]*/g) ?? [])
          if (!help.includes(flag) && !global.includes(flag)) stale.push(`${path}: ${flag} in "${line}"`);
      }
    }
    expect(stale).toEqual([]);
  });
});
