// Privileged, real engine: `pre_start` hooks run as short-lived containers of the service's
// image, mounts and environment before its first container starts, one at a time, with
// their own working_dir and environment; they leave no container behind, do not run again
// on a scale-up, and a failing step keeps the service from starting with its status and
// output in the error.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSupervisorPid, killAndWait, startStack, waitFor } from '../support/processes.js';
import {
  importTestImage,
  makeStackEnv,
  stack,
  TEST_IMAGE,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';

let env: StackEnv;
let project: string;
let file: string;

/** The container records of a project's state: a step's goes with its container. */
const records = (p: string) => {
  const dir = path.join(env.env.STACK_ROOT!, 'stacks', p, 'state', 'containers');
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
};
const run = (...args: string[]) => stack(env, ['-f', file, ...args]);

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tprestart');
  file = writeStackFile(
    env,
    project,
    `  app:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    environment: { FROM_SERVICE: svc }
    volumes: [data:/data]
    pre_start:
      - command: ["sh", "-c", "echo step1 $$FROM_SERVICE $$STEP >> /data/log"]
        environment: { STEP: one }
      - command: ["sh", "-c", "pwd >> /data/log"]
        working_dir: /data
volumes:
  data: {}
`,
  );
});

afterAll(() => {
  run('down', '-v', '-t', '0');
  env.dispose();
});

describe('pre_start', () => {
  it('runs each step in its own container before the service starts, and leaves none behind', () => {
    const up = run('up', '-d');
    expect(up.code, up.stderr).toBe(0);
    expect(run('exec', 'app', 'cat', '/data/log').stdout).toBe('step1 svc one\n/data\n');
    const ps = run('ps');
    expect(ps.stdout, ps.stderr).toContain(`${project}-app-1`);
    expect(ps.stdout).not.toContain('pre_start');
    expect(records(project)).toEqual([`${project}-app-1.json`]);
  });

  it('does not run again on a scale-up while a replica runs', () => {
    const scaled = run('up', '-d', '--scale', 'app=2');
    expect(scaled.code, scaled.stderr).toBe(0);
    expect(run('ps').stdout).toContain(`${project}-app-2`);
    expect(run('exec', 'app', 'cat', '/data/log').stdout).toBe('step1 svc one\n/data\n');
  });

  it('a failing step keeps the service from starting, with its status and output', () => {
    const failing = path.join(env.root, 'failing.yaml');
    fs.writeFileSync(
      failing,
      `name: ${project}f\nservices:\n  bad:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n    pre_start:\n      - command: ["sh", "-c", "echo boom; exit 3"]\n`,
    );
    try {
      const up = stack(env, ['-f', failing, 'up', '-d']);
      expect(up.code).not.toBe(0);
      expect(up.stderr).toContain('pre_start hook 1 exited with status 3: boom');
      const ps = stack(env, ['-f', failing, 'ps']);
      expect(ps.stdout).not.toContain(`${project}f-bad-1`);
      expect(ps.stdout).not.toContain('pre_start');
      expect(records(`${project}f`)).toEqual([]);
    } finally {
      stack(env, ['-f', failing, 'down', '-t', '0']);
    }
  });
});

describe('pre_start after a kill -9 of the supervisor while a step runs', () => {
  it('the next up removes the step left behind, runs the steps again and starts the service; down leaves nothing', async () => {
    const p = `${project}k`;
    const f = ['-f', path.join(env.root, 'killed.yaml')];
    // The step blocks the first time only, so the kill lands while it runs.
    const step =
      'if [ -e /data/once ]; then echo again >> /data/log; else touch /data/once; echo first >> /data/log; sleep 1000; fi';
    fs.writeFileSync(
      f[1]!,
      `name: ${p}\nservices:\n  app:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n    stop_grace_period: 0s\n    volumes: [data:/data]\n    pre_start:\n      - command: ["sh", "-c", "${step}"]\nvolumes:\n  data: {}\n`,
    );
    try {
      const up = startStack(env, [...f, 'up', '-d']);
      const supervisor = await waitFor(() => findSupervisorPid(p), 10_000, 'the supervisor');
      const once = path.join(env.env.STACK_ROOT!, 'volumes', `${p}_data`, '_data', 'once');
      await waitFor(() => fs.existsSync(once), 10_000, 'the step');
      await killAndWait(supervisor);
      expect((await up.result).code).not.toBe(0);
      const again = stack(env, [...f, 'up', '-d']);
      expect(again.code, again.stderr).toBe(0);
      expect(stack(env, [...f, 'exec', 'app', 'cat', '/data/log']).stdout).toBe('first\nagain\n');
      expect(records(p)).toEqual([`${p}-app-1.json`]);
    } finally {
      expect(stack(env, [...f, 'down', '-v', '-t', '0']).code).toBe(0);
    }
    expect(records(p)).toEqual([]);
  });
});
