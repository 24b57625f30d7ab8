// `attach: false` (issue 18): an attached `up` does not show the service's output, as docker
// compose does, while `stack logs` still has it. The quiet service writes its line before
// the loud one writes its own (the loud one waits for a file the quiet one makes), so by the
// time the loud line is shown the quiet line was there to show too.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  TEST_IMAGE,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { killSupervisors, startStack, waitFor } from '../support/processes.js';

let env: StackEnv;
let file: string;
let project: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tattfalse');
  file = path.join(env.root, 'stack.yaml');
  const shared = path.join(env.root, 'shared');
  fs.mkdirSync(shared);
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  quiet:
    image: ${TEST_IMAGE}
    attach: false
    volumes: ["${shared}:/s"]
    command: ["sh", "-c", "echo hello from quiet; touch /s/wrote; exec sleep 100000"]
    stop_grace_period: 0s
  loud:
    image: ${TEST_IMAGE}
    volumes: ["${shared}:/s"]
    command: ["sh", "-c", "while [ ! -e /s/wrote ]; do sleep 0.1; done; echo hello from loud; exec sleep 100000"]
    stop_grace_period: 0s
`,
  );
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  await killSupervisors(project);
  env.dispose();
});

it("an attached up does not show an attach: false service's output; logs does", async () => {
  let stdout = '';
  const run = startStack(env, ['-f', file, 'up']);
  run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await waitFor(() => /loud +\| hello from loud/.test(stdout), 15_000, "loud's output");
  run.child.kill('SIGINT');
  expect((await run.result).code).toBe(130);
  expect(stdout).not.toMatch(/quiet/);
  expect(stack(env, ['-f', file, 'logs', 'quiet']).stdout).toMatch(/hello from quiet/);
});
