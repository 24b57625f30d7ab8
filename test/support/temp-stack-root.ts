// A STACK_ROOT of the test's own, for unit tests of code that reads it from the environment
// (store/paths.ts): made before each test and removed after, the caller's restored.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/** Sets STACK_ROOT to a fresh folder around each test; `root()` is that folder. */
export function useTempStackRoot(prefix: string): { root: () => string } {
  let root = '';
  const saved = process.env.STACK_ROOT;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), `stack-test-${prefix}-`));
    process.env.STACK_ROOT = root;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.STACK_ROOT;
    else process.env.STACK_ROOT = saved;
    fs.rmSync(root, { recursive: true, force: true });
  });
  return { root: () => root };
}
