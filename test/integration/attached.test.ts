// `stack up` without -d: the services' output multiplexed with service prefixes until
// Ctrl-C, which takes the stack down and exits 130; a second Ctrl-C kills what is still
// in its grace period.

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

it('a second Ctrl-C kills containers still in their grace period instead of waiting it out', async () => {
  const stubborn = uniqueProject('tstubborn');
  const f = path.join(env.root, 'stubborn.yaml');
  fs.writeFileSync(f, `name: ${stubborn}
services:
  stubborn:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap '' TERM; echo ignoring TERM; while true; do sleep 0.2; done"]
    stop_grace_period: 60s
`);
  let stdout = '';
  const run = startStack(env, ['-f', f, 'up']);
  run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  try {
    await waitFor(() => /ignoring TERM/.test(stdout), 15_000, 'the service to start');
    run.child.kill('SIGINT');
    await waitFor(() => /stopping/.test(run.stderr()), 10_000, 'the graceful stop to begin');
    const killedAt = Date.now();
    run.child.kill('SIGINT');
    const result = await run.result;
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/killing/);
    // Well inside the 60 s grace period: the container was killed, not waited out.
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [stubborn])).toEqual({});
  } finally {
    stack(env, ['-f', f, 'down', '-t', '0']);
    await killSupervisors(stubborn);
  }
}, 60_000);
