// A supervisor loads its stack's names at its start only when the stack has networks recorded
// (supervisor/main.ts, hasRecordedNetworks): a first `up` has none, and its request waited
// for a load that had no gateway to serve. One that adopts a running stack still loads them
// (test/integration/supervisor-crash.test.ts resolves a name through a successor).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { hasRecordedNetworks } from '../../supervisor/dns/stack-dns.js';
import { paths } from '../../store/paths.js';

const savedRoot = process.env.STACK_ROOT;
let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-start-names-'));
  process.env.STACK_ROOT = root;
});

afterEach(() => {
  if (savedRoot === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = savedRoot;
  fs.rmSync(root, { recursive: true, force: true });
});

test('a stack never brought up has no networks recorded', () => {
  expect(hasRecordedNetworks('demo')).toBe(false);
  fs.mkdirSync(paths.stateDir('demo'), { recursive: true });
  expect(hasRecordedNetworks('demo')).toBe(false);
});

test('a folder of networks left empty (all removed) has none', () => {
  fs.mkdirSync(path.join(paths.stateDir('demo'), 'networks'), { recursive: true });
  expect(hasRecordedNetworks('demo')).toBe(false);
});

test('a recorded network, damaged or not, has its names loaded at the start', () => {
  const dir = path.join(paths.stateDir('demo'), 'networks');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'default.json'), '{not json');
  expect(hasRecordedNetworks('demo')).toBe(true);
});

test('a folder that cannot be read counts as having networks', () => {
  fs.mkdirSync(paths.stateDir('demo'), { recursive: true });
  // A file where the folder should be: readdir fails with ENOTDIR, not ENOENT.
  fs.writeFileSync(path.join(paths.stateDir('demo'), 'networks'), '');
  expect(hasRecordedNetworks('demo')).toBe(true);
});
