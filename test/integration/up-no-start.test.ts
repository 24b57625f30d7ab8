// `up --no-start` and `create`: stack has no created-but-not-started container, so both
// pull and build the images and make the networks, and start no container; a later `up`
// starts them.

import fs from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { stack, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';

let env: StackEnv;
let file: string;
let project: string;
const one = oneStackUnderTest('tupnostart');

beforeAll(() => {
  ({ env, file, project } = one);
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  sleeper:
    image: ${TEST_IMAGE}
    command: ["sleep", "100000"]
`,
  );
});

const states = () =>
  (psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as { state: string }[]).map((r) => r.state);

it('makes the network and no container; up then starts it', () => {
  const r = stack(env, ['-f', file, 'up', '--no-start']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/network\.create/);
  expect(r.stderr).not.toMatch(/container\.start/);
  expect(states()).toEqual([]);
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  expect(up.stderr).not.toMatch(/network\.create/);
  expect(states()).toEqual(['running']);
});

it('refuses --no-start with an abort flag', () => {
  expect(stack(env, ['-f', file, 'up', '--no-start', '--abort-on-container-exit']).code).toBe(2);
});

// create made no container before (stack had no created state): it now makes them, created
// and not started (test/integration/create.test.ts); this test expected none.
it('create: containers created and not started, with compose flags; --pull never refuses an image the store lacks', () => {
  expect(stack(env, ['-f', file, 'down']).code).toBe(0);
  const r = stack(env, ['-f', file, 'create', '--no-build', '--pull', 'missing', '--scale', 'sleeper=2', '-y']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/network\.create/);
  expect(r.stderr).not.toMatch(/container\.start/);
  expect(states()).toEqual(['created', 'created']);
  expect(stack(env, ['-f', file, 'up', '-d']).code).toBe(0);
  expect(states()).toEqual(['running']);
  const other = file.replace(/\.yaml$/, '-missing.yaml');
  fs.writeFileSync(other, `name: ${project}\nservices:\n  gone:\n    image: stack.local/not-there:1\n`);
  const never = stack(env, ['-f', other, 'create', '--pull', 'never']);
  expect(never.code).toBe(1);
  expect(never.stderr).toContain('pull_policy is never');
  expect(stack(env, ['-f', file, 'create', '--pull', 'sometimes']).code).toBe(2);
});
