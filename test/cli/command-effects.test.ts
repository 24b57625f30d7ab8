// Every registered command says whether it changes the host (then `--dry-run` stops it
// before its action, cli/dry-run.ts) or only reads: a command added later cannot slip
// through `--dry-run` unclassified.

import { afterAll, beforeAll, expect, it } from 'vitest';
import { CHANGES_HOST, READS_ONLY } from '../../cli/command-effects.js';
import { makeStackEnv, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
beforeAll(() => (env = makeStackEnv()));
afterAll(() => env.dispose());

/** The commands `stack [GROUP] --help` lists (`help` is commander's own). */
function commandsOf(group: string[]): string[] {
  const help = stack(env, [...group, '--help']).stdout;
  const section = help.slice(help.indexOf('Commands:'));
  return [...section.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
}

it('every command, and every subcommand of image and volume, is classified', () => {
  const names = [
    ...commandsOf([]),
    ...commandsOf(['image']).map((c) => `image ${c}`),
    ...commandsOf(['volume']).map((c) => `volume ${c}`),
  ];
  expect(names.length).toBeGreaterThan(30);
  const unclassified = names.filter(
    (n) => !['image', 'volume'].includes(n) && !CHANGES_HOST.has(n) && !READS_ONLY.has(n),
  );
  expect(unclassified).toEqual([]);
});
