// `stack up` without -d: the services' output multiplexed with service prefixes until
// Ctrl-C, which stops the containers and keeps them (as docker compose does) and exits
// 130; the next `up` starts them again as they are; a second Ctrl-C kills what is still
// in its grace period.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors, startStack, waitFor } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

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

it('follows prefixed output until Ctrl-C, then stops the containers, keeps them and exits 130; up starts them again', async () => {
  let stdout = '';
  const run = startStack(env, ['-f', file, 'up']);
  run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await waitFor(
    () => /ticker +\| tick/.test(stdout) && /greeter +\| hello from greeter/.test(stdout),
    15_000,
    'prefixed output of both services',
  );
  run.child.kill('SIGINT');
  const result = await run.result;
  expect(result.code).toBe(130);
  expect(result.stderr).toMatch(/stopping/);
  const ps = () =>
    psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as { service: string; state: string }[];
  expect(
    ps()
      .map((r) => [r.service, r.state])
      .sort(),
  ).toEqual([
    ['greeter', 'exited'],
    ['ticker', 'exited'],
  ]);
  // The next up starts the same containers again (their records, filesystems and addresses).
  const again = stack(env, ['-f', file, 'up', '-d']);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stderr).toMatch(/container\.resume/);
  expect(again.stderr).not.toMatch(/container\.start|repairing drift/);
  expect(ps().map((r) => r.state)).toEqual(['running', 'running']);
  expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root])).toEqual({});
  expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
});

it('up SERVICE follows and, at Ctrl-C, stops only that service (and what it started for it)', async () => {
  expect(stack(env, ['-f', file, 'up', '-d']).code).toBe(0);
  let stdout = '';
  const run = startStack(env, ['-f', file, 'up', 'ticker']);
  run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await waitFor(() => /tick/.test(stdout), 15_000, "ticker's output");
  run.child.kill('SIGINT');
  expect((await run.result).code).toBe(130);
  expect(stdout).not.toMatch(/hello from greeter/);
  const rows = psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as {
    service: string;
    state: string;
  }[];
  expect(rows.map((r) => [r.service, r.state]).sort()).toEqual([
    ['greeter', 'running'],
    ['ticker', 'exited'],
  ]);
  expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
});

it('a second Ctrl-C kills containers still in their grace period instead of waiting it out', async () => {
  const stubborn = uniqueProject('tstubborn');
  const f = path.join(env.root, 'stubborn.yaml');
  fs.writeFileSync(
    f,
    `name: ${stubborn}
services:
  stubborn:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "trap '' TERM; echo ignoring TERM; while true; do sleep 0.2; done"]
    stop_grace_period: 60s
`,
  );
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
  } finally {
    stack(env, ['-f', f, 'down', '-t', '0']);
    await killSupervisors(stubborn);
  }
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [stubborn])).toEqual({});
}, 60_000);
