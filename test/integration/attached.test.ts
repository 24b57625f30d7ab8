// `stack up` without -d: the services' output multiplexed with service prefixes until
// Ctrl-C, which takes the stack down and exits 130.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importTestImage, makeStackEnv, stack, uniqueProject, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors, startStack, waitFor } from '../support/processes.js';

let env: StackEnv;
let file: string;
let project: string;
const before = snapshotHostObjects();

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tattach');
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  ticker:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "while true; do echo tick; sleep 0.2; done"]
  greeter:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo hello from greeter; sleep 100000"]
`,
  );
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  await killSupervisors(project);
  env.dispose();
});

it('follows prefixed output until Ctrl-C, then takes the stack down and exits 130', async () => {
  let stdout = '';
  const run = startStack(env, ['-f', file, 'up']);
  run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await waitFor(() => /ticker +\| tick/.test(stdout) && /greeter +\| hello from greeter/.test(stdout), 15_000, 'prefixed output of both services');
  run.child.kill('SIGINT');
  const result = await run.result;
  expect(result.code).toBe(130);
  expect(result.stderr).toMatch(/stopping/);
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root])).toEqual({});
  expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
});
