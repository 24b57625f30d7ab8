// A container may write folders nested past PATH_MAX (4096 bytes) in its upper dir: made
// from the top down by renames, every call it makes names a short path. Its removal must
// still succeed (executor/host/linux/remove-tree.ts), or its own files keep it from `rm`,
// `down` and a `--rm` exit for ever.

import fs from 'node:fs';
import { expect, it } from 'vitest';
import { stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';
import path from 'node:path';

const one = oneStackUnderTest('tdeepup');
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);
const rows = () => psJson<{ Name: string }>(run('ps', '-a', '--format', 'json').stdout);

/** 31 folders of 200 characters, one in the other: ~6 KB of path. */
const NEST = `L=${'d'.repeat(200)}; mkdir $L && for i in $(seq 30); do mkdir t && mv $L t/ && mv t $L || exit 1; done`;

it('removes a one-off whose upper dir is nested past PATH_MAX, with --rm and by rm', () => {
  writeStackFile(one.env, one.project, `  app:\n    image: ${TEST_IMAGE}\n    command: sleep 100\n`);
  const removed = run('run', '--rm', 'app', 'sh', '-c', `cd /tmp && ${NEST}`);
  expect(removed.code, removed.stderr).toBe(0);
  expect(rows()).toEqual([]);

  const kept = run('run', '--name', `${one.project}-deep`, 'app', 'sh', '-c', `cd /tmp && ${NEST}`);
  expect(kept.code, kept.stderr).toBe(0);
  const rm = run('rm', '-f', 'app');
  expect(rm.code, rm.stderr).toBe(0);
  expect(rows()).toEqual([]);
  const containers = path.join(one.env.env.STACK_ROOT!, 'stacks', one.project, 'containers');
  expect(fs.existsSync(containers) ? fs.readdirSync(containers) : []).toEqual([]);
});
