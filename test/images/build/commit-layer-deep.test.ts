// A RUN step may nest folders in its upper dir past PATH_MAX (4096 bytes), where no path
// reaches. Committing that upper dir fails (packing it cannot name the deepest files); the
// build must report that failure, not one of the cleanup after it, and the folder must go.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nestPastPathMax } from '../../support/deep-tree.js';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { commitLayer } from '../../../images/build/commit-layer.js';

const saved = process.env.STACK_ROOT;
let root = '';
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-commit-deep-'));
  process.env.STACK_ROOT = root;
});
afterEach(() => {
  if (saved === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = saved;
  spawnSync('rm', ['-rf', '--one-file-system', root]); // fs.rm stops at PATH_MAX
});

it('reports the packing error of an upper dir nested past PATH_MAX, and removes the folder', async () => {
  const upper = path.join(root, 'upper');
  fs.mkdirSync(upper);
  nestPastPathMax(upper);
  const failure = await commitLayer(upper).then(
    () => undefined,
    (err: unknown) => err as NodeJS.ErrnoException,
  );
  expect(failure).toBeDefined();
  // The packer's own error, not the removal's (fs.rm's unlink or rmdir, ENAMETOOLONG).
  expect(['unlink', 'rmdir']).not.toContain(failure!.syscall);
  expect(fs.existsSync(upper)).toBe(false);
});
