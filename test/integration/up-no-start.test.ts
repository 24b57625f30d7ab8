// `up --no-start`: stack has no created-but-not-started container, so it pulls and builds
// the images and makes the networks, and starts no container; a later `up` starts them.

import fs from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { stack, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';

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
  (JSON.parse(stack(env, ['-f', file, 'ps', '--format', 'json']).stdout) as { state: string }[]).map((r) => r.state);

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
