// Output read through a pipe by a slow reader (`stack build | less`, `up --dry-run | head`)
// arrives whole. The commands that end with process.exit to skip Node's teardown lost
// everything past the pipe's 64 KB buffer: exit drops what Node still queues.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  repoRoot,
  TEST_IMAGE,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';

let env: StackEnv;
let project: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tpipe');
});
afterAll(() => env.dispose());

/**
 * Runs bin/stack with stdout and stderr on one pipe that nobody reads for half a second (as
 * `| less` before its first screen), then reads it whole: the command's exit code and output.
 */
function runWithSlowReader(args: string[]): { code: number; output: string } {
  const r = spawnSync(
    'bash',
    ['-c', 'set -o pipefail; "$@" 2>&1 | { sleep 0.5; cat; }', 'bash', path.join(repoRoot, 'bin/stack'), ...args],
    { cwd: env.root, env: env.env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  return { code: r.status ?? -1, output: r.stdout };
}

it('gives `up --dry-run` of a large stack its whole plan, past 64 KB', () => {
  const services = Array.from(
    { length: 400 },
    (_, i) => `  svc${i}:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "1000"]\n`,
  );
  const file = path.join(env.root, 'big.yaml');
  fs.writeFileSync(file, `name: ${project}\nservices:\n${services.join('')}`);
  const r = runWithSlowReader(['-f', file, '--dry-run', 'up', '-d']);
  expect(r.code, r.output.slice(-2000)).toBe(0);
  expect(r.output.length).toBeGreaterThan(65_536);
  expect(r.output).toContain(`container.start ${project}-svc399-1`);
  expect(r.output).toContain('DRY-RUN MODE: nothing was changed');
});

it('gives `stack build` its whole log, past 64 KB', () => {
  const context = path.join(env.root, 'ctx');
  fs.mkdirSync(context);
  // 3000 numbered lines of ~60 bytes: ~180 KB of RUN output in the build's plain log.
  fs.writeFileSync(
    path.join(context, 'Dockerfile'),
    `FROM ${TEST_IMAGE}\nRUN i=0; while [ $i -lt 3000 ]; do echo "line $i of the build's own output, padded to sixty bytes"; i=$((i+1)); done\n`,
  );
  const file = path.join(env.root, 'build.yaml');
  fs.writeFileSync(file, `name: ${project}b\nservices:\n  app:\n    build: ./ctx\n`);
  const r = runWithSlowReader(['-f', file, 'build', '--progress', 'plain']);
  expect(r.code, r.output.slice(-2000)).toBe(0);
  expect(r.output.length).toBeGreaterThan(65_536);
  expect(r.output).toContain('line 2999 of the build');
});
