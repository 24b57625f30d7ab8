// The one-shot `stack run --rm --image REF -- CMD` ends at once when its container is removed
// (cli/one-shot-run.ts), not by draining the event loop: with process.exit once its error is
// written, else with _exit(2) after its 'exit' listeners (exit-at-once.ts). An exit drops
// what Node still queues for a pipe, so: the command's output and the CLI's own error both
// reach a reader that starts late, the exit codes are the command's (or docker's 127),
// nothing of the container is left, and the code cache bin/stack.js writes at 'exit' is written.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importTestImage, makeStackEnv, repoRoot, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
});

afterAll(() => env.dispose());

/** What `bin/stack ARGS… 2>&1 | (sleep 0.5; READER)` hands the reader that starts late. */
function throughLateReader(args: string[], reader: string): string {
  const r = spawnSync(
    '/bin/sh',
    ['-c', `"$0" "$@" 2>&1 | (sleep 0.5; ${reader})`, path.join(repoRoot, 'bin/stack'), ...args],
    {
      env: env.env,
      encoding: 'utf8',
    },
  );
  return r.stdout;
}

const oneShot = (command: string[]) => ['run', '--rm', '--image', TEST_IMAGE, '--network', 'none', '--', ...command];

it("hands a late reader all of the command's output and its own error", () => {
  // More than a pipe holds (64 KB), on stdout and stderr both.
  const big = throughLateReader(
    oneShot(['sh', '-c', 'head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2']),
    'wc -c',
  );
  expect(big.trim()).toBe('600000');
  const missing = throughLateReader(oneShot(['no-such-cmd']), 'cat');
  expect(missing).toMatch(
    /^stack: container \S+: init failed at lookup: executable file not found in \$PATH: no-such-cmd\n$/,
  );
});

it("exits with the command's code, or 127 when it cannot start, and leaves no container", () => {
  const run = (command: string[]) => spawnSync(path.join(repoRoot, 'bin/stack'), oneShot(command), { env: env.env });
  expect(run(['/bin/true']).status).toBe(0);
  expect(run(['sh', '-c', 'exit 7']).status).toBe(7);
  expect(run(['no-such-cmd']).status).toBe(127);
  const containers = path.join(env.env.STACK_ROOT!, 'stacks', '_run', 'containers');
  expect(fs.existsSync(containers) ? fs.readdirSync(containers) : []).toEqual([]);
  const records = path.join(env.env.STACK_ROOT!, 'stacks', '_run', 'state', 'containers');
  expect(fs.existsSync(records) ? fs.readdirSync(records) : []).toEqual([]);
});

it("writes its code cache at its exit (bin/stack.js's 'exit' listener) though it ends with _exit", () => {
  const bundle = path.join(repoRoot, 'dist/bundle/one-shot.cjs');
  const sha256 = createHash('sha256').update(fs.readFileSync(bundle)).digest('hex');
  const cache = path.join(repoRoot, 'dist/bundle/code-cache', `${sha256}.run-image.v8`);
  fs.rmSync(cache, { force: true });
  const r = spawnSync(path.join(repoRoot, 'bin/stack'), oneShot(['/bin/true']), { env: env.env });
  expect(r.status).toBe(0);
  expect(fs.statSync(cache).size).toBeGreaterThan(1000);
});
