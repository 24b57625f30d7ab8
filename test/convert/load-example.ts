// Loads a stack file of the repository as the CLI does (files read from disk), and the
// contents of its configs and secrets, for the converter tests.

import fs from 'node:fs';
import path from 'node:path';
import { loadStack } from '../../planner/load/load.js';
import type { Stack } from '../../model/types.js';
import { repoRoot } from '../support/stack-cli.js';

export function loadExample(relative: string): { stack: Stack; fileContents: Record<string, Uint8Array> } {
  const file = path.join(repoRoot, relative);
  const read = (p: string) => (fs.existsSync(p) && fs.statSync(p).isFile() ? fs.readFileSync(p) : undefined);
  const stack = loadStack({
    files: [{ path: relative, text: fs.readFileSync(file) }],
    projectDir: path.dirname(file),
    cwd: repoRoot,
    env: {},
    readFile: read,
  });
  const fileContents: Record<string, Uint8Array> = {};
  for (const o of [...stack.configs, ...stack.secrets])
    if (o.file && read(o.file)) fileContents[o.file] = read(o.file)!;
  return { stack, fileContents };
}
