// The command line's registry: every docker compose command stack has shows in `--help`
// with its flags, and each command's code loads only when it runs (the start budget of
// DESIGN.md: a register module imports its action module lazily, never statically).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
beforeAll(() => (env = makeStackEnv()));
afterAll(() => env.dispose());

/** compose's commands of issue 19's first part, with the flags each must accept. */
const COMPOSE_COMMANDS: Record<string, string[]> = {
  version: ['--short', '--format'],
  ls: ['--all', '--filter', '--format', '--quiet'],
  kill: ['--signal', '--remove-orphans'],
  rm: ['--force', '--stop', '--volumes'],
  pause: [],
  unpause: [],
  top: [],
  wait: ['--down-project'],
  images: ['--format', '--quiet'],
  scale: ['--no-deps'],
  stats: ['--all', '--format', '--no-stream', '--no-trunc'],
  cp: ['--archive', '--follow-link', '--index', '--all'],
  export: ['--output', '--index'],
  commit: ['--author', '--change', '--message', '--pause', '--index'],
  attach: ['--index', '--no-stdin', '--sig-proxy', '--detach-keys'],
  create: [
    '--build',
    '--no-build',
    '--force-recreate',
    '--no-recreate',
    '--pull',
    '--remove-orphans',
    '--scale',
    '--yes',
  ],
};

describe('help', () => {
  it('lists every command', () => {
    const help = stack(env, ['--help']);
    expect(help.code).toBe(0);
    for (const name of Object.keys(COMPOSE_COMMANDS)) expect(help.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    expect(help.stdout).toContain('-v, --version');
  });

  it.each(Object.entries(COMPOSE_COMMANDS))("%s --help names compose's flags", (name, flags) => {
    const r = stack(env, [name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: stack ${name}`));
    for (const flag of flags) expect(r.stdout).toContain(flag);
  });

  it('an unknown flag is a usage error, exit 2', () => {
    for (const name of Object.keys(COMPOSE_COMMANDS)) expect(stack(env, [name, '--no-such-flag']).code).toBe(2);
  });
});

describe('lazy loading', () => {
  it("no command's register module imports its action module statically (only `import type`)", () => {
    const dir = path.join(repoRoot, 'cli/commands');
    const eager = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.ts') && !f.endsWith('-action.ts'))
      .filter((f) =>
        /^import (?!type )[^;]*from '\.\/[a-z-]+-action\.js'/m.test(fs.readFileSync(path.join(dir, f), 'utf8')),
      );
    expect(eager).toEqual([]);
  });
});
