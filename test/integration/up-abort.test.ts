// The flags CI jobs run attached `up` with: --exit-code-from SVC returns SVC's exit code
// and stops the rest; --abort-on-container-exit stops everything at the first exit;
// --abort-on-container-failure ignores an exit 0.

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
const projects: string[] = [];
const before = snapshotHostObjects();

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
});

afterAll(async () => {
  for (const p of projects) {
    stack(env, ['-p', p, 'down', '-t', '0']);
    await killSupervisors(p);
  }
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), projects)).toEqual({});
  env.dispose();
});

/** A stack file with a sleeper and a one-shot `job` that exits with `code`. */
function jobStack(code: number, jobDelay = '0'): string {
  const project = uniqueProject('tabort');
  projects.push(project);
  const file = path.join(env.root, `${project}.yaml`);
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  sleeper:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo sleeping; exec sleep 100000"]
  job:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep ${jobDelay}; echo job done; exit ${code}"]
`,
  );
  return file;
}

function states(file: string): [string, string, number | undefined][] {
  const rows = psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as {
    service: string;
    state: string;
    exitCode?: number;
  }[];
  return rows.map((r): [string, string, number | undefined] => [r.service, r.state, r.exitCode]).sort();
}

it("--exit-code-from job exits with job's code (3) and stops the sleeper", async () => {
  const file = jobStack(3);
  const r = stack(env, ['-f', file, 'up', '--exit-code-from', 'job']);
  expect(r.code, r.stderr).toBe(3);
  expect(r.stderr).toMatch(/job-1 exited with code 3\nAborting on container exit/);
  expect(r.stdout).toMatch(/job +\| job done/);
  expect(states(file).map(([s, st]) => [s, st])).toEqual([
    ['job', 'exited'],
    ['sleeper', 'exited'],
  ]);
});

it("--exit-code-from sleeper: the job's exit aborts, and up returns the stopped sleeper's code", async () => {
  const file = jobStack(3);
  const r = stack(env, ['-f', file, 'up', '--exit-code-from', 'sleeper']);
  // Stopped by the abort: a signal's code (128+N), the one its record keeps.
  const sleeper = states(file).find(([s]) => s === 'sleeper')!;
  expect(sleeper[1]).toBe('exited');
  expect(sleeper[2]).toBeGreaterThan(128);
  expect(r.code, r.stderr).toBe(sleeper[2]);
});

it('--abort-on-container-exit stops everything at an exit 0 and returns 0, also when run again', async () => {
  const file = jobStack(0);
  const r = stack(env, ['-f', file, 'up', '--abort-on-container-exit']);
  expect(r.code, r.stderr).toBe(0);
  // A CI job run twice on the same host: the job, stopped by the abort, runs again (up
  // resumes stopped containers), or up would wait for an exit that never comes.
  const again = stack(env, ['-f', file, 'up', '--abort-on-container-exit']);
  expect(again.code, again.stderr).toBe(0);
  expect(r.stderr).toMatch(/Aborting on container exit/);
  expect(states(file).map(([s, st]) => [s, st])).toEqual([
    ['job', 'exited'],
    ['sleeper', 'exited'],
  ]);
});

it('--abort-on-container-failure ignores an exit 0 (the stack keeps running), and aborts at a failure', async () => {
  const ok = jobStack(0);
  const run = startStack(env, ['-f', ok, 'up', '--abort-on-container-failure']);
  let stdout = '';
  run.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  await waitFor(() => /job +\| job done/.test(stdout), 15_000, "the job's output");
  await waitFor(() => states(ok).some(([s, st]) => s === 'job' && st === 'exited'), 15_000, 'the job to exit');
  // Still attached, the sleeper still running: only Ctrl-C ends it.
  expect(run.child.exitCode).toBe(null);
  expect(states(ok).find(([s]) => s === 'sleeper')?.[1]).toBe('running');
  run.child.kill('SIGINT');
  expect((await run.result).code).toBe(130);

  const failing = jobStack(5, '0.5');
  const r = stack(env, ['-f', failing, 'up', '--abort-on-container-failure']);
  expect(r.code, r.stderr).toBe(5);
  expect(states(failing).map(([s, st]) => [s, st])).toEqual([
    ['job', 'exited'],
    ['sleeper', 'exited'],
  ]);
}, 60_000);

it('refuses the abort flags with -d, contradicting ones, and an unknown --exit-code-from service', () => {
  const file = jobStack(0);
  expect(stack(env, ['-f', file, 'up', '-d', '--abort-on-container-exit']).code).toBe(2);
  expect(stack(env, ['-f', file, 'up', '--abort-on-container-failure', '--exit-code-from', 'job']).code).toBe(2);
  const r = stack(env, ['-f', file, 'up', '--exit-code-from', 'nosuch']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--exit-code-from nosuch: no such service/);
});
