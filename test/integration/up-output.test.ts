// Whose output attached `up` shows and how: --attach/--no-attach SVC, --no-log-prefix,
// --timestamps (--no-color: the output here is a pipe, never coloured). Every run ends by
// itself with --exit-code-from, and the job's last line, written just before it exits, is
// shown before up returns.

import fs from 'node:fs';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { stack, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { startStack, waitFor } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

let env: StackEnv;
let file: string;
let project: string;
const one = oneStackUnderTest('tupout');

beforeAll(() => {
  ({ env, file, project } = one);
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  chatter:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo chatter says hi; exec sleep 100000"]
  job:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo job starts; sleep 1; echo job ends; exit 4"]
`,
  );
});

// Each test starts from fresh containers: a resumed one's log still holds its earlier runs.
afterEach(() => {
  stack(env, ['-f', file, 'down', '-t', '0']);
});

it('--no-attach chatter hides its output; the job is shown to its last line', () => {
  const r = stack(env, ['-f', file, 'up', '--exit-code-from', 'job', '--no-attach', 'chatter']);
  expect(r.code, r.stderr).toBe(4);
  expect(r.stdout).toMatch(/^job +\| job starts\njob +\| job ends\n$/);
});

it('--attach chatter shows only its output; abort then follows only its exits', async () => {
  // The job's exit does not abort (its output is not attached), so the run is ended here.
  let stdout = '';
  const run = startStack(env, ['-f', file, 'up', '--abort-on-container-exit', '--attach', 'chatter']);
  run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await waitFor(() => /chatter +\| chatter says hi/.test(stdout), 15_000, "chatter's output");
  await waitFor(() => /job ends/.test(stack(env, ['-f', file, 'logs', 'job']).stdout), 15_000, 'the job to end');
  await waitFor(() => jobState() === 'exited', 15_000, 'the job to exit');
  expect(run.child.exitCode).toBe(null);
  run.child.kill('SIGINT');
  expect((await run.result).code).toBe(130);
  expect(stdout).not.toMatch(/job/);
}, 60_000);

function jobState(): string | undefined {
  const rows = psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as {
    service: string;
    state: string;
  }[];
  return rows.find((r) => r.service === 'job')?.state;
}

it('--no-log-prefix --timestamps --no-color: bare lines, each after the time it was written', () => {
  const r = stack(env, [
    '-f',
    file,
    'up',
    '--exit-code-from',
    'job',
    '--attach',
    'job',
    '--no-log-prefix',
    '--timestamps',
    '--no-color',
  ]);
  expect(r.code, r.stderr).toBe(4);
  expect(r.stdout).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z job starts\n\d{4}-\d\d-\d\dT[\d:.]+Z job ends\n$/);
});

it('refuses --attach of a service the file does not have', () => {
  const r = stack(env, ['-f', file, 'up', '--attach', 'nosuch']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--attach\/--no-attach nosuch: no such service/);
});
