// `up -t N`: the grace period of the containers up stops (at an abort or Ctrl-C) and of
// those it replaces, over their stop_grace_period. Here a service catches SIGTERM and stays,
// with a grace of 10 minutes (a PID 1 that only ignores it is killed at once anyway): with -t 0 it is killed at once (137), and every `up` returns well
// inside the CLI helper's 60 s limit. Also -y and --quiet-pull are accepted.

import fs from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { stack, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';

let env: StackEnv;
let file: string;
let project: string;
const one = oneStackUnderTest('tuptime');

function writeStack(mood: string): void {
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  stubborn:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap 'echo TERM caught, staying' TERM; echo catching TERM; while true; do sleep 0.2; done"]
    stop_grace_period: 10m
    environment:
      MOOD: ${mood}
  job:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 0.5; exit 0"]
`,
  );
}

beforeAll(() => {
  ({ env, file, project } = one);
  writeStack('calm');
});

it('up --exit-code-from job -t 0 kills the container that catches SIGTERM and stays instead of waiting out its 10 minutes', () => {
  const r = stack(env, ['-f', file, 'up', '--exit-code-from', 'job', '-t', '0', '-y', '--quiet-pull']);
  expect(r.code, r.stderr).toBe(0);
  const rows = psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as {
    service: string;
    state: string;
    exitCode?: number;
  }[];
  expect(rows.find((row) => row.service === 'stubborn')).toMatchObject({ state: 'exited', exitCode: 137 });
});

it('up -d -t 0 replaces a changed container without waiting out its grace period', () => {
  expect(stack(env, ['-f', file, 'up', '-d']).code).toBe(0);
  writeStack('grumpy');
  const r = stack(env, ['-f', file, 'up', '-d', '-t', '0']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/container\.remove/);
});

it('refuses a -t that is not whole seconds', () => {
  const r = stack(env, ['-f', file, 'up', '-d', '-t', '1.5']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/-t\/--timeout takes whole seconds/);
});
