// Helpers of the VM suite (test/vm/*.vm.ts): node:test has no expect(), so a failed CLI
// call's stderr goes into the assertion message here.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { newObjects, snapshotHostObjects, type HostObjects } from '../support/host-objects.js';
import { repoRoot, type Result, type StackEnv } from '../support/stack-cli.js';

/** Under TCG a CLI call takes ~10× as long as on the host: stack-cli's 60 s limit is too short for `up`. */
const CLI_TIMEOUT_MS = 300_000;

/** Runs the built CLI as a user would (stack-cli's `stack`, with a limit for an emulated CPU). */
export function stack(env: StackEnv, args: string[]): Result {
  const r = spawnSync(path.join(repoRoot, 'bin/stack'), args, {
    cwd: env.root,
    env: env.env,
    encoding: 'utf8',
    timeout: CLI_TIMEOUT_MS,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Asserts the command exited 0 (with its stderr in the message); returns it. */
export function ok(r: Result, what: string): Result {
  assert.equal(r.code, 0, `${what} exited ${r.code}: ${r.stderr}`);
  return r;
}

/** A file of a container's group in the unified hierarchy. */
export function cgroupFile(project: string, container: string, name: string): string {
  return path.join('/sys/fs/cgroup/stack', project, container, name);
}

/** Fails with the list when host objects appeared since `before` (exiting processes get 2 s to be reaped). */
export async function noNewObjects(before: HostObjects): Promise<void> {
  let leaks = newObjects(before, snapshotHostObjects());
  for (let i = 0; i < 20 && Object.keys(leaks).length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    leaks = newObjects(before, snapshotHostObjects());
  }
  assert.deepEqual(leaks, {}, 'host objects left behind');
}
