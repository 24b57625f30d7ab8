// `stack completion bash|zsh`: bash's own completion function, sourced from the script and
// run with COMP_WORDS/COMP_CWORD as bash sets them at a Tab, completes commands, flags,
// flag values, paths and the stack file's services through `stack __complete`.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
let script: string;
const bin = path.join(repoRoot, 'bin/stack');

beforeAll(() => {
  env = makeStackEnv();
  fs.writeFileSync(
    path.join(env.root, 'stack.yaml'),
    'name: stkcomp\nservices:\n  web:\n    image: busybox\n  worker:\n    image: busybox\n  pgclient:\n    image: busybox\n    profiles: [tools]\n',
  );
  fs.writeFileSync(path.join(env.root, 'other.yaml'), 'services:\n  solo:\n    image: busybox\n');
  script = path.join(env.root, 'stack.bash');
  const r = stack(env, ['completion', 'bash']);
  expect(r.code).toBe(0);
  fs.writeFileSync(script, r.stdout);
});
afterAll(() => env.dispose());

/** COMPREPLY of the script's function for the command line `words` (the last is the word being typed). */
function complete(words: string[]): string[] {
  const quoted = [bin, ...words].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = spawnSync(
    'bash',
    [
      '-c',
      `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; _stack_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd: env.root, env: env.env, encoding: 'utf8' },
  );
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

describe('bash completion', () => {
  it('registers itself for `stack`', () => {
    const r = spawnSync('bash', ['-c', `source '${script}'; complete -p stack`], { encoding: 'utf8' });
    expect(r.stdout).toContain('-F _stack_complete stack');
  });

  it('commands', () => {
    expect(complete(['u'])).toEqual(['unpause', 'up']);
    expect(complete(['re'])).toEqual(['restart']);
    expect(complete(['image', 'p'])).toEqual(['prune', 'pull', 'push']);
  });

  it('flags of the command being typed, and the global ones before it', () => {
    expect(complete(['up', '--abort'])).toEqual(['--abort-on-container-exit', '--abort-on-container-failure']);
    expect(complete(['--pro'])).toEqual(['--profile', '--progress', '--project-directory', '--project-name']);
    expect(complete(['down', '--v'])).toEqual(['--volumes']);
  });

  it('values of flags, and the shell argument of completion', () => {
    expect(complete(['--ansi', ''])).toEqual(['always', 'auto', 'never']);
    expect(complete(['completion', ''])).toEqual(['bash', 'zsh']);
  });

  it('paths for -f', () => {
    expect(complete(['-f', 'oth'])).toEqual(['other.yaml']);
  });

  it("the stack file's services, also those only in a profile, after a global -f too", () => {
    expect(complete(['logs', ''])).toEqual(['pgclient', 'web', 'worker']);
    expect(complete(['restart', 'w'])).toEqual(['web', 'worker']);
    expect(complete(['-f', 'other.yaml', 'up', ''])).toEqual(['solo']);
  });

  it('nothing but what the shell does by default where no word is known', () => {
    expect(complete(['ls', ''])).toEqual([]);
  });
});

describe('stack completion', () => {
  it('zsh: a script for compdef', () => {
    const r = stack(env, ['completion', 'zsh']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^#compdef stack\n/);
    expect(r.stdout).toContain('__complete --');
  });

  it('another shell is a usage error, exit 2', () => {
    expect(stack(env, ['completion', 'fish']).code).toBe(2);
  });
});
