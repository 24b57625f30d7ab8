// docker compose's global flags and COMPOSE_* variables through the real command line:
// `-f -`, --ansi, --progress, --parallel (their values checked, flag over variable),
// --env-file / COMPOSE_ENV_FILES, --profile / COMPOSE_PROFILES, --project-directory,
// COMPOSE_FILE with COMPOSE_PATH_SEPARATOR, COMPOSE_PROJECT_NAME, COMPOSE_MENU. What needs
// containers (--parallel's effect, --progress json of an `up`) is in
// test/integration/global-flags.test.ts.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStackEnv, repoRoot, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
beforeAll(() => (env = makeStackEnv()));
afterAll(() => env.dispose());

const withEnv = (vars: Record<string, string>): StackEnv => ({ ...env, env: { ...env.env, ...vars } });

/** `stack ARGS` with `input` on stdin. */
function stackWithStdin(args: string[], input: string, cwd = env.root) {
  const r = spawnSync(path.join(repoRoot, 'bin/stack'), args, { cwd, env: env.env, input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(rel: string, text: string): string {
  const file = path.join(env.root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  return file;
}

describe('-f -: the stack file from stdin', () => {
  it('is read, in the working folder (its name is the default project name)', () => {
    const dir = path.dirname(write('fromstdin/.keep', ''));
    const r = stackWithStdin(['-f', '-', 'config'], 'services:\n  web:\n    image: busybox\n', dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^name: fromstdin\n/);
    expect(r.stdout).toContain('image: busybox');
  });

  it('its diagnostics name it <stdin>', () => {
    const r = stackWithStdin(['-f', '-', 'config'], 'services:\n  web:\n    image: busybox\n    bogus: 1\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('<stdin>:4:5: unknown key "bogus" in service "web"');
  });

  it('merges with other files in order', () => {
    const base = write('merge/base.yaml', 'name: merged\nservices:\n  web:\n    image: busybox\n');
    const r = stackWithStdin(['-f', base, '-f', '-', 'config'], 'services:\n  web:\n    image: alpine\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('image: alpine');
  });

  it('twice is a usage error, exit 2', () => {
    const r = stackWithStdin(['-f', '-', '-f', '-', 'config'], 'services: {}\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('can be given only once');
  });
});

describe('--ansi, --progress, --parallel and their variables: values checked, exit 2', () => {
  it.each([
    [['--ansi', 'sometimes'], {}, '--ansi takes never, always, auto, not "sometimes"'],
    [['--progress', 'fancy'], {}, '--progress takes auto, tty, plain, json, quiet, not "fancy"'],
    [['--parallel', '0'], {}, '--parallel takes a whole number above 0, or -1, not "0"'],
    [[], { COMPOSE_ANSI: 'x' }, 'COMPOSE_ANSI takes never, always, auto, not "x"'],
    [[], { COMPOSE_PROGRESS: 'x' }, 'COMPOSE_PROGRESS takes auto, tty, plain, json, quiet, not "x"'],
    [[], { COMPOSE_PARALLEL_LIMIT: 'many' }, 'COMPOSE_PARALLEL_LIMIT takes a whole number above 0, or -1, not "many"'],
  ])('%j %j', (flags, vars, message) => {
    const r = stack(withEnv(vars), [...flags, 'ls']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `stack: ${message}\n` });
  });

  it('a good flag wins over a bad variable', () => {
    const r = stack(withEnv({ COMPOSE_ANSI: 'x', COMPOSE_PROGRESS: 'x', COMPOSE_PARALLEL_LIMIT: 'x' }), [
      '--ansi',
      'never',
      '--progress',
      'plain',
      '--parallel',
      '-1',
      'ls',
    ]);
    expect(r.code).toBe(0);
  });

  it('every value compose takes is accepted', () => {
    for (const ansi of ['never', 'always', 'auto']) expect(stack(env, ['--ansi', ansi, 'ls']).code).toBe(0);
    for (const progress of ['auto', 'tty', 'plain', 'json', 'quiet'])
      expect(stack(env, ['--progress', progress, 'ls']).code).toBe(0);
  });

  it('COMPOSE_MENU is accepted (stack has no menu)', () => {
    expect(stack(withEnv({ COMPOSE_MENU: 'true' }), ['ls']).code).toBe(0);
  });
});

describe("the project's files and environment", () => {
  it('--env-file repeated: later files override earlier ones', () => {
    const a = write('envs/a.env', 'TAG=1\nOTHER=a\n');
    const b = write('envs/b.env', 'TAG=2\n');
    const file = write('envs/stack.yaml', 'name: envs\nservices:\n  web:\n    image: "busybox:${TAG}-${OTHER}"\n');
    const r = stack(env, ['-f', file, '--env-file', a, '--env-file', b, 'config']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('image: busybox:2-a');
  });

  it('COMPOSE_ENV_FILES: comma-separated, as repeated --env-file; the flag wins', () => {
    const a = write('envs/a.env', 'TAG=1\nOTHER=a\n');
    const b = write('envs/b.env', 'TAG=2\n');
    const file = path.join(env.root, 'envs/stack.yaml');
    const viaEnv = stack(withEnv({ COMPOSE_ENV_FILES: `${a},${b}` }), ['-f', file, 'config']);
    expect(viaEnv.stdout).toContain('image: busybox:2-a');
    const flag = stack(withEnv({ COMPOSE_ENV_FILES: `${a},${b}` }), ['-f', file, '--env-file', a, 'config']);
    expect(flag.stdout).toContain('image: busybox:1-a');
    const missing = stack(withEnv({ COMPOSE_ENV_FILES: '/nonexistent.env' }), ['-f', file, 'config']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('given with COMPOSE_ENV_FILES');
  });

  it('--profile repeated and COMPOSE_PROFILES enable services of those profiles', () => {
    const file = write(
      'profiles/stack.yaml',
      'name: prof\nservices:\n  web:\n    image: busybox\n  a:\n    image: busybox\n    profiles: [pa]\n  b:\n    image: busybox\n    profiles: [pb]\n',
    );
    const services = (args: string[], vars: Record<string, string> = {}) =>
      stack(withEnv(vars), ['-f', file, ...args, 'config', '--services'])
        .stdout.trim()
        .split('\n')
        .sort();
    expect(services([])).toEqual(['web']);
    expect(services(['--profile', 'pa', '--profile', 'pb'])).toEqual(['a', 'b', 'web']);
    expect(services([], { COMPOSE_PROFILES: 'pb' })).toEqual(['b', 'web']);
    expect(services(['--profile', 'pa'], { COMPOSE_PROFILES: 'pb' })).toEqual(['a', 'web']);
  });

  it('--project-directory: the default project name, .env and relative paths come from it', () => {
    const dir = path.dirname(write('projdir/.env', 'TAG=fromdir\n'));
    const file = write(
      'elsewhere/stack.yaml',
      'services:\n  web:\n    image: "busybox:${TAG}"\n    env_file: [vars.env]\n',
    );
    write('projdir/vars.env', 'X=1\n');
    const r = stack(env, ['-f', file, '--project-directory', dir, 'config']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^name: projdir\n/);
    expect(r.stdout).toContain('image: busybox:fromdir');
    expect(r.stdout).toContain('X: "1"');
  });

  it('COMPOSE_FILE with COMPOSE_PATH_SEPARATOR, and COMPOSE_PROJECT_NAME', () => {
    write('cf/one.yaml', 'services:\n  web:\n    image: busybox\n');
    write('cf/two.yaml', 'services:\n  web:\n    image: alpine\n');
    const dir = path.join(env.root, 'cf');
    const r = stack(
      withEnv({ COMPOSE_FILE: 'one.yaml;two.yaml', COMPOSE_PATH_SEPARATOR: ';', COMPOSE_PROJECT_NAME: 'named' }),
      ['config'],
      dir,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^name: named\n/);
    expect(r.stdout).toContain('image: alpine');
  });
});
