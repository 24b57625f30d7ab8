// docs/cli.md's table of compose flags on existing commands, read against the CLI itself:
// each row marked done names a command whose `--help` offers every flag of the row, so the
// table and the registry cannot drift apart.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
beforeAll(() => (env = makeStackEnv()));
afterAll(() => env.dispose());

/** The rows of the table under "## Flags of existing commands": [command, flags, status]. */
function flagRows(): [string, string[], string][] {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs/cli.md'), 'utf8');
  const section = doc.split(/^## Flags of existing commands.*$/m)[1]!.split(/^## /m)[0]!;
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [usage, status] = line.split(' | ');
      const words = /`([^`]*)`/.exec(usage!)![1]!.split(/\s+/);
      return [words[0]!, words.slice(1).filter((w) => w.startsWith('-')), status!.trim()];
    });
}

describe('docs/cli.md, flags of existing commands', () => {
  it('has rows', () => expect(flagRows().length).toBeGreaterThan(0));

  it.each(flagRows().filter(([, , status]) => status === 'done'))('%s --help offers %s', (command, flags) => {
    const help = stack(env, [command, '--help']);
    expect(help.code).toBe(0);
    for (const flag of flags) expect(help.stdout).toMatch(new RegExp(`(^|[ ,])${flag}\\b`, 'm'));
  });
});
