// bin/early-supervisor.sh decides in the shell what bin/stack.js decides in Node: whether an `up`
// starts its supervisor early, and for which project the command line names for certain. The
// shell's choice comes first and Node's applies only when the shell started none, so the two
// must agree, or an `up` would start a supervisor where Node would not (a spare Node start on a
// running stack's no-op `up`) or name a project the CLI does not take. The one difference is
// on purpose: a help flag anywhere stops the shell (commander prints help), and Node decides.

import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TITLE_ROOM, wantsEarlySupervisor } from '../../supervisor/launch.js';
import { repoRoot } from '../support/stack-cli.js';

const { namedProject, commandOf } = createRequire(import.meta.url)(path.join(repoRoot, 'bin/stack.js')) as {
  namedProject(args: string[], env: NodeJS.ProcessEnv): string | undefined;
  commandOf(args: string[]): string;
};

/** What the shell decides for `args`: the project it names, and whether it starts a supervisor. */
function shellChoice(args: string[], env: NodeJS.ProcessEnv): { project: string; fits: boolean } {
  const script = [
    `. '${repoRoot}/bin/command-line.sh'`,
    `. '${repoRoot}/bin/early-supervisor.sh'`,
    'stack_named_project "$@"',
    'printf "%s\\n" "$stack_project"',
    'if stack_early_supervisor_fits "$@"; then echo fits; else echo no; fi',
  ].join('\n');
  const r = spawnSync('/bin/sh', ['-c', script, 'sh', ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const [project, fits] = r.stdout.split('\n');
  return { project: project!, fits: fits === 'fits' };
}

/** What bin/stack.js decides (its startSupervisorEarly, as root). */
function nodeChoice(args: string[], env: NodeJS.ProcessEnv): boolean {
  const saved = process.env.STACK_RUN;
  process.env.STACK_RUN = env.STACK_RUN;
  try {
    return commandOf(args) === 'up' && !args.includes('--dry-run') && wantsEarlySupervisor(namedProject(args, env));
  } finally {
    if (saved === undefined) delete process.env.STACK_RUN;
    else process.env.STACK_RUN = saved;
  }
}

const LINES: string[][] = [
  ['up'],
  ['up', '-d'],
  ['-p', 'web', 'up', '-d'],
  ['--project-name', 'web', 'up'],
  ['--project-name=web', 'up'],
  ['-pweb', 'up'],
  ['-p', 'a', '-f', 'x.yaml', '-p', 'b', 'up'],
  ['up', '-d', '-p', 'late'],
  ['-f', '-p', 'up'],
  ['--env-file', '-pnot', 'up'],
  ['--parallel', '2', 'up', '--pull', 'always'],
  ['-p', 'Web', 'up'],
  ['-p', '../x', 'up'],
  ['-p', '', 'up'],
  ['-p', 'a/b', 'up'],
  ['-p-x', 'up'],
  ['-p'],
  ['up', '--dry-run'],
  ['-f', 'up', 'ps'],
  ['--file', 'up.yaml', 'up'],
  ['ps'],
  ['down'],
  ['run', 'up'],
  [],
  ['--ansi', 'never', 'up', 'web', 'db'],
  ['-p', 'mine', 'up'],
  ['-p', 'other', 'up'],
];
const ENVS: NodeJS.ProcessEnv[] = [
  {},
  { COMPOSE_PROJECT_NAME: 'fromenv' },
  { COMPOSE_PROJECT_NAME: '' },
  { COMPOSE_PROJECT_NAME: 'Bad Name' },
];

describe('the shell and bin/stack.js choose the same early supervisor', () => {
  let run: string;
  beforeEach(() => {
    run = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-early-sh-'));
  });
  afterEach(() => fs.rmSync(run, { recursive: true, force: true }));
  const serving = (project: string) => {
    fs.mkdirSync(path.join(run, project), { recursive: true });
    fs.writeFileSync(path.join(run, project, 'supervisor.sock'), '');
  };
  const compareAll = () => {
    for (const extra of ENVS) {
      const env = { PATH: process.env.PATH, STACK_RUN: run, ...extra };
      for (const args of LINES) {
        const shell = shellChoice(args, env);
        expect({ args, env: extra, project: shell.project }).toEqual({
          args,
          env: extra,
          project: namedProject(args, env) ?? '',
        });
        expect({ args, env: extra, fits: shell.fits }).toEqual({ args, env: extra, fits: nodeChoice(args, env) });
      }
    }
  };

  it.runIf(process.geteuid?.() === 0)('with no supervisor running', () => compareAll());
  it.runIf(process.geteuid?.() === 0)('with the named project serving, and another', () => {
    serving('mine');
    compareAll();
  });
  it.runIf(process.geteuid?.() === 0)('with a project serving that no line names', () => {
    serving('zzz');
    compareAll();
  });
  it.runIf(process.geteuid?.() === 0)('with the environment project serving', () => {
    serving('fromenv');
    compareAll();
  });

  it('a help flag anywhere stops the shell (Node then decides, as before)', () => {
    expect(shellChoice(['up', '--help'], { STACK_RUN: run }).fits).toBe(false);
    expect(shellChoice(['-h', 'up'], { STACK_RUN: run }).fits).toBe(false);
  });

  it('a relative or empty STACK_RUN is left to Node', () => {
    expect(shellChoice(['up'], { STACK_RUN: 'rel/run' }).fits).toBe(false);
    expect(shellChoice(['up'], { STACK_RUN: '' }).fits).toBe(false);
  });

  it.runIf(process.geteuid?.() !== 0)('an ordinary user starts none from the shell', () => {
    expect(shellChoice(['up'], { STACK_RUN: run }).fits).toBe(false);
  });

  it('gives the supervisor the same room for its title as launch.ts does', () => {
    const script = fs.readFileSync(path.join(repoRoot, 'bin/early-supervisor.sh'), 'utf8');
    expect(script.match(/--project-from-stdin \\\n\s*'( +)'/)?.[1]).toBe(TITLE_ROOM);
  });
});
