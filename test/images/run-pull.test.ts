// `stack run --pull`, as compose's: `missing` pulls the service's image from a (local)
// registry when it is not stored and runs the one-off; `never` leaves the store alone and
// the run says the image is missing; an unknown policy is a usage error.

import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStackEnv, stack, uniqueProject, writeStackFile, type StackEnv } from '../support/stack-cli.js';
import { buildBusybox } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';

let env: StackEnv;
let registry: Registry;
let file: string;
let project: string;

beforeAll(async () => {
  env = makeStackEnv();
  registry = await startRegistry(path.join(env.root, 'registry'));
  buildBusybox(path.join(env.root, 'layout'), 'pulled by run');
  await registry.push(path.join(env.root, 'layout'), 'tool:latest');
  project = uniqueProject('trunpull');
  file = writeStackFile(
    env,
    project,
    `  tool:
    image: ${registry.host}/tool:latest
    network_mode: none
    pull_policy: never
`,
  );
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  await registry?.stop();
  env.dispose();
});

const run = (...args: string[]) => stack(env, ['-f', file, 'run', '--rm', ...args]);

it('--pull never runs nothing that is not stored; --pull missing pulls it and runs', () => {
  const never = run('--pull', 'never', 'tool', 'echo', 'hi');
  expect(never.code).not.toBe(0);
  expect(never.stderr).toMatch(/not in the local store/);
  const missing = run('--pull', 'missing', '--quiet-pull', 'tool', 'echo', 'hi');
  expect(missing.code, missing.stderr).toBe(0);
  expect(missing.stdout).toBe('hi\n');
  expect(run('--pull', 'sometimes', 'tool').code).toBe(2);
});
