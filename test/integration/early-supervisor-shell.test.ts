// A first `up` as root starts its supervisor from bin/stack, the shell, before the CLI's Node
// (bin/early-supervisor.sh), and hands it to the CLI through a FIFO and a boot-output file made
// in STACK_RUN and unlinked at once. Whatever the CLI does (serves the stack, stops at a broken
// file, is killed before it tells the project), nothing of the hand-over stays: no file in
// STACK_RUN, no supervisor waiting, and the one that serves holds neither end.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeEarlyStartEnv,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { earlySupervisorsIn, killAndWait, startStack, supervisorPids, waitFor } from '../support/processes.js';

const asRoot = process.geteuid?.() === 0;

describe.runIf(asRoot)('the supervisor bin/stack starts for `up`', () => {
  let env: StackEnv;
  beforeAll(() => {
    env = makeEarlyStartEnv();
  });
  afterAll(() => env.dispose());

  const run = () => env.env.STACK_RUN!;
  const handOverFiles = () => fs.readdirSync(run()).filter((n) => n.startsWith('.early-supervisor-'));
  const waiting = () => earlySupervisorsIn(run());
  function stackFile(project: string, body: string): string {
    const file = path.join(env.root, `${project}.yaml`);
    fs.writeFileSync(file, `name: ${project}\n${body}`);
    return file;
  }
  const traced = (project: string) => ({
    ...env,
    env: { ...env.env, STACK_TRACE: path.join(env.root, `${project}.trace`) },
  });
  const traceOf = (project: string) => fs.readFileSync(path.join(env.root, `${project}.trace`), 'utf8');

  it('serves the stack, with its boot output in the stack log and no end of the hand-over open', async () => {
    const project = uniqueProject('shsup');
    const file = stackFile(project, `services:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`);
    const up = stack(traced(project), ['-f', file, 'up', '-d']);
    try {
      expect(up.code, up.stderr).toBe(0);
      expect(traceOf(project)).toMatch(/loader: supervisor started by the shell/);
      expect(handOverFiles()).toEqual([]);
      const [supervisor] = supervisorPids(project);
      expect(supervisor).toBeDefined();
      // Its own session, and nothing of the FIFO or the boot file: stdin is /dev/null, 1 and 2 the stack's log.
      const stat = fs.readFileSync(`/proc/${supervisor}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      expect(Number(fields[3])).toBe(supervisor); // session id
      const fds = fs.readdirSync(`/proc/${supervisor}/fd`).map((fd) => {
        try {
          return fs.readlinkSync(`/proc/${supervisor}/fd/${fd}`);
        } catch {
          return '';
        }
      });
      expect(fds.filter((l) => l.includes('.early-supervisor-'))).toEqual([]);
      expect(fs.readlinkSync(`/proc/${supervisor}/fd/0`)).toBe('/dev/null');
      expect(fs.readlinkSync(`/proc/${supervisor}/fd/1`)).toMatch(/supervisor\.log$/);
    } finally {
      stack(env, ['-f', file, 'down', '-t', '0']);
    }
    expect(handOverFiles()).toEqual([]);
  });

  it('is gone, with nothing left in STACK_RUN, after an `up` that stops at a broken file', async () => {
    const project = uniqueProject('shbad');
    const file = stackFile(project, `services:\n  a:\n    image: ${TEST_IMAGE}\n    no_such_key: 1\n`);
    const before = fs.readdirSync(run()).sort();
    const up = stack(traced(project), ['-f', file, 'up', '-d']);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/no_such_key/);
    expect(traceOf(project)).toMatch(/loader: supervisor started by the shell/);
    // The CLI killed it and waited; the zombie went with the CLI.
    expect(waiting()).toEqual([]);
    expect(fs.readdirSync(run()).sort()).toEqual(before);
  });

  it('exits without a trace when the CLI is killed before it tells the project', async () => {
    const project = uniqueProject('shkill');
    const file = stackFile(project, `services:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`);
    const before = fs.readdirSync(run()).sort();
    const up = startStack(traced(project), ['-f', file, 'up', '-d']);
    // As soon as the CLI's Node has taken it over: the project is not known yet.
    await waitFor(
      () => fs.existsSync(path.join(env.root, `${project}.trace`)) && /by the shell/.test(traceOf(project)),
      10_000,
      'the CLI to take the supervisor over',
    );
    expect(traceOf(project)).not.toMatch(/project told/);
    await killAndWait(up.child.pid!);
    await up.result;
    // EOF on its stdin: the CLI was the FIFO's only writer.
    await waitFor(() => waiting().length === 0, 10_000, 'the early supervisor to exit');
    expect(supervisorPids(project)).toEqual([]);
    expect(fs.readdirSync(run()).sort()).toEqual(before);
  });

  it("names its stack in `ps` whatever the name's length (its title fits in the room its command line left)", async () => {
    // 63 characters: the longest project name stack takes (model/name-limits.ts).
    const project = `${uniqueProject('shlong')}-`.padEnd(63, 'x');
    const file = stackFile(project, `services:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`);
    const up = stack(traced(project), ['-f', file, 'up', '-d']);
    try {
      expect(up.code, up.stderr).toBe(0);
      expect(traceOf(project)).toMatch(/loader: supervisor started by the shell/);
      expect(supervisorPids(project)).toHaveLength(1);
    } finally {
      stack(env, ['-f', file, 'down', '-t', '0']);
    }
  });
});

describe.runIf(asRoot)('the supervisor bin/stack.js starts for `up` (no STACK_RUN yet)', () => {
  let env: StackEnv;
  beforeAll(() => {
    env = makeStackEnv();
    importTestImage(env);
  });
  afterAll(() => env.dispose());

  it("names its stack in `ps` whatever the name's length", async () => {
    const project = `${uniqueProject('ndlong')}-`.padEnd(63, 'x');
    const file = path.join(env.root, 'long.yaml');
    fs.writeFileSync(file, `name: ${project}\nservices:\n  a:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n`);
    expect(fs.existsSync(env.env.STACK_RUN!)).toBe(false);
    const up = stack(env, ['-f', file, 'up', '-d']);
    try {
      expect(up.code, up.stderr).toBe(0);
      expect(supervisorPids(project)).toHaveLength(1);
    } finally {
      stack(env, ['-f', file, 'down', '-t', '0']);
    }
  });
});
