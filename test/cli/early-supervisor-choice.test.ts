// Whether bin/stack.js starts a supervisor before the CLI's bundle loads, for `up`: when the
// command line names the project for certain (-p, COMPOSE_PROJECT_NAME), only when that
// project's supervisor does not serve; else, as before, only when no supervisor runs on the
// host. A wrong name would only cost a spare start or a late one (the `up` action decides
// again), but the name must be the one the CLI takes, or nothing.

import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { wantsEarlySupervisor } from '../../supervisor/launch.js';
import { repoRoot } from '../support/stack-cli.js';

const { namedProject } = createRequire(import.meta.url)(path.join(repoRoot, 'bin/stack.js')) as {
  namedProject(args: string[], env: NodeJS.ProcessEnv): string | undefined;
};

describe('namedProject: the project a command line names for certain', () => {
  it('takes -p and --project-name in every form, the last one winning as in commander', () => {
    expect(namedProject(['-p', 'web', 'up', '-d'], {})).toBe('web');
    expect(namedProject(['--project-name', 'web', 'up'], {})).toBe('web');
    expect(namedProject(['--project-name=web', 'up'], {})).toBe('web');
    expect(namedProject(['-pweb', 'up'], {})).toBe('web');
    expect(namedProject(['-p', 'a', '-f', 'x.yaml', '-p', 'b', 'up'], {})).toBe('b');
    expect(namedProject(['up', '-d', '-p', 'late'], {})).toBe('late');
  });

  it('takes COMPOSE_PROJECT_NAME of the environment when no -p is given, and -p over it', () => {
    expect(namedProject(['up'], { COMPOSE_PROJECT_NAME: 'fromenv' })).toBe('fromenv');
    expect(namedProject(['-p', 'flag', 'up'], { COMPOSE_PROJECT_NAME: 'fromenv' })).toBe('flag');
    expect(namedProject(['up'], { COMPOSE_PROJECT_NAME: '' })).toBeUndefined();
  });

  it('names none when the file or the folder decides', () => {
    expect(namedProject(['-f', 'stack.yaml', 'up', '-d'], {})).toBeUndefined();
    expect(namedProject(['up'], {})).toBeUndefined();
  });

  it('never mistakes an option value for the project', () => {
    expect(namedProject(['-f', '-p', 'up'], {})).toBeUndefined();
    expect(namedProject(['--env-file', '-pnot', 'up'], {})).toBeUndefined();
    expect(namedProject(['--parallel', '2', 'up', '--pull', 'always'], {})).toBeUndefined();
  });

  it('names none when -p gives what the CLI refuses, even with COMPOSE_PROJECT_NAME set', () => {
    for (const bad of ['Web', '../x', '-x', '', 'a/b'])
      expect(namedProject(['-p', bad, 'up'], { COMPOSE_PROJECT_NAME: 'fromenv' })).toBeUndefined();
    expect(namedProject(['-p'], { COMPOSE_PROJECT_NAME: 'fromenv' })).toBeUndefined();
    expect(namedProject(['up'], { COMPOSE_PROJECT_NAME: 'Bad Name' })).toBeUndefined();
  });
});

describe('wantsEarlySupervisor', () => {
  let run: string;
  let saved: string | undefined;
  beforeEach(() => {
    run = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-early-'));
    saved = process.env.STACK_RUN;
    process.env.STACK_RUN = run;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.STACK_RUN;
    else process.env.STACK_RUN = saved;
    fs.rmSync(run, { recursive: true, force: true });
  });
  const serving = (project: string) => {
    fs.mkdirSync(path.join(run, project));
    fs.writeFileSync(path.join(run, project, 'supervisor.sock'), '');
  };

  it('a named project: wanted unless its own supervisor serves, whatever other stacks run', () => {
    serving('other');
    expect(wantsEarlySupervisor('mine')).toBe(true);
    serving('mine');
    expect(wantsEarlySupervisor('mine')).toBe(false);
  });

  it('no name: wanted only while no supervisor runs on the host', () => {
    expect(wantsEarlySupervisor()).toBe(true);
    serving('other');
    expect(wantsEarlySupervisor()).toBe(false);
  });
});
