// removeTree removes a container's folders with blocking calls (issue 16: the thread-pool
// round trips of fs/promises were ~20 at the end of every one-shot run), yet a large tree
// must leave the event loop its turns: the supervisor serves its other stacks meanwhile.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { nestPastPathMax } from '../support/deep-tree.js';
import { afterEach, expect, it } from 'vitest';
import { removeFile, removeTree } from '../../executor/host/linux/remove-tree.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-remove-tree-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const d of dirs.splice(0)) spawnSync('rm', ['-rf', '--one-file-system', d]); // fs.rm stops at PATH_MAX
});

it('removes nested folders and files, and removes symlinks without following them', async () => {
  const base = tempDir();
  const outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'kept'), 'x');
  const tree = path.join(base, 'tree');
  fs.mkdirSync(path.join(tree, 'upper/etc'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'upper/etc/hostname'), 'x');
  fs.writeFileSync(path.join(tree, 'hosts'), 'x');
  fs.symlinkSync(outside, path.join(tree, 'link'));
  await removeTree(tree);
  expect(fs.existsSync(tree)).toBe(false);
  expect(fs.readFileSync(path.join(outside, 'kept'), 'utf8')).toBe('x');
});

it('takes a missing folder, and a file given as the folder', async () => {
  const base = tempDir();
  await removeTree(path.join(base, 'absent'));
  fs.writeFileSync(path.join(base, 'file'), 'x');
  await removeTree(path.join(base, 'file'));
  await removeFile(path.join(base, 'absent-file'));
  expect(fs.readdirSync(base)).toEqual([]);
});

it('lets the event loop run while it removes a large tree', async () => {
  const tree = path.join(tempDir(), 'tree');
  for (let d = 0; d < 10; d++) {
    fs.mkdirSync(path.join(tree, `d${d}`), { recursive: true });
    for (let f = 0; f < 60; f++) fs.writeFileSync(path.join(tree, `d${d}`, `f${f}`), '');
  }
  // Counts the turns of the loop's check phase: none pass while a call blocks throughout.
  let turns = 0;
  let ticker: NodeJS.Immediate | undefined;
  const tick = () => {
    turns++;
    ticker = setImmediate(tick);
  };
  ticker = setImmediate(tick);
  try {
    await removeTree(tree);
  } finally {
    clearImmediate(ticker);
  }
  expect(fs.existsSync(tree)).toBe(false);
  expect(turns).toBeGreaterThan(0);
});

// A container writes what it likes in its upper dir, folders nested past PATH_MAX (4096
// bytes) among it: no path names the deepest of them (ENAMETOOLONG), yet the container's
// removal must not fail on them, or its own files would keep it from `down` for ever.
it('removes a tree nested deeper than PATH_MAX', async () => {
  const tree = path.join(tempDir(), 'tree');
  fs.mkdirSync(tree);
  nestPastPathMax(tree);
  await removeTree(tree);
  expect(fs.existsSync(tree)).toBe(false);
});
