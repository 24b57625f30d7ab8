// `up -p NAME` (or COMPOSE_PROJECT_NAME): the supervisor bin/stack started early is told its
// project before the CLI reads the stack file (cli/told-supervisor.ts). Whatever the file turns
// out to be, the host ends as `up` without a name leaves it: a broken file changes nothing, a
// stack that builds keeps no supervisor waiting through its build, a good one is served by
// that supervisor.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEarlyStartEnv, stack, uniqueProject, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { earlySupervisorsIn, startStack, supervisorPids, waitFor, watchdogPids } from '../support/processes.js';

const asRoot = process.geteuid?.() === 0;

/** Every path under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

describe.runIf(asRoot)('an `up` whose project is named before its file is read', () => {
  let env: StackEnv;
  beforeAll(() => {
    env = makeEarlyStartEnv();
  });
  afterAll(() => env.dispose());

  const traceFile = (project: string) => path.join(env.root, `${project}.trace`);
  const traced = (project: string, extra: Record<string, string> = {}) => ({
    ...env,
    env: { ...env.env, STACK_TRACE: traceFile(project), ...extra },
  });
  /** The trace's marks of this process tree, in order, without times and pids. */
  const marks = (project: string) =>
    fs
      .readFileSync(traceFile(project), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/).slice(3).join(' '));
  function writeFile(name: string, body: string): string {
    const file = path.join(env.root, `${name}.yaml`);
    fs.writeFileSync(file, body);
    return file;
  }

  it('tells the project before the file loads, and that supervisor serves the stack', () => {
    const project = uniqueProject('tlgood');
    const file = writeFile(project, `services:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`);
    const up = stack(traced(project), ['-f', file, '-p', project, 'up', '-d']);
    try {
      expect(up.code, up.stderr).toBe(0);
      const cli = marks(project).filter((m) => m.startsWith('cli: '));
      expect(cli.indexOf('cli: project told')).toBeGreaterThanOrEqual(0);
      expect(cli.indexOf('cli: project told')).toBeLessThan(cli.indexOf('cli: stack file loaded'));
      expect(marks(project)).toContain('loader: supervisor started by the shell');
      expect(supervisorPids(project)).toHaveLength(1);
      expect(stack(env, ['-p', project, 'ps', '-q']).stdout.trim()).not.toBe('');
    } finally {
      expect(stack(env, ['-f', file, '-p', project, 'down', '-t', '0']).code).toBe(0);
    }
  });

  it('takes COMPOSE_PROJECT_NAME over the name the file gives', () => {
    const project = uniqueProject('tlenv');
    const file = writeFile(
      project,
      `name: ${project}-file\nservices:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`,
    );
    const up = stack(traced(project, { COMPOSE_PROJECT_NAME: project }), ['-f', file, 'up', '-d']);
    try {
      expect(up.code, up.stderr).toBe(0);
      expect(marks(project)).toContain('cli: project told');
      expect(supervisorPids(project)).toHaveLength(1);
      expect(supervisorPids(`${project}-file`)).toEqual([]);
    } finally {
      expect(stack(env, ['-p', project, 'down', '-t', '0']).code).toBe(0);
    }
  });

  it('changes nothing on the host when the file turns out broken', () => {
    const project = uniqueProject('tlbad');
    const file = writeFile(project, `services:\n  a:\n    image: ${TEST_IMAGE}\n    no_such_key: 1\n`);
    const before = { root: tree(env.env.STACK_ROOT!), run: tree(env.env.STACK_RUN!) };
    const up = stack(traced(project), ['-f', file, '-p', project, 'up', '-d']);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/no_such_key/);
    // It was told, and then undone: no supervisor, watchdog, folder, log or socket stays.
    expect(marks(project)).toContain('cli: project told');
    expect(supervisorPids(project)).toEqual([]);
    expect(watchdogPids(project)).toEqual([]);
    expect(earlySupervisorsIn(env.env.STACK_RUN!)).toEqual([]);
    expect({ root: tree(env.env.STACK_ROOT!), run: tree(env.env.STACK_RUN!) }).toEqual(before);
  });

  it('keeps no supervisor waiting while the stack builds', async () => {
    const project = uniqueProject('tlbuild');
    const context = path.join(env.root, `${project}-ctx`);
    fs.mkdirSync(context);
    fs.writeFileSync(path.join(context, 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN sleep 2\n`);
    const file = writeFile(project, `services:\n  a:\n    build: ${context}\n    command: sleep 1000\n`);
    const up = startStack(traced(project), ['-f', file, '-p', project, 'up', '-d']);
    let done = false;
    void up.result.then(() => (done = true));
    try {
      // A Ctrl-C during the build must find no supervisor of a stack that never came up.
      await waitFor(() => /RUN sleep 2/.test(up.stderr()), 10_000, 'the build to start');
      expect(marks(project)).toContain('cli: project told');
      let samples = 0;
      while (!done && !/built docker\.io/.test(up.stderr())) {
        expect(supervisorPids(project)).toEqual([]);
        samples++;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(samples).toBeGreaterThan(10);
      const result = await up.result;
      expect(result.code, result.stderr).toBe(0);
      expect(supervisorPids(project)).toHaveLength(1);
    } finally {
      await up.result;
      expect(stack(env, ['-f', file, '-p', project, 'down', '-t', '0', '--rmi', 'local']).code).toBe(0);
    }
  });
});
