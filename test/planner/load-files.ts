// Loading stacks made of several files from an in-memory folder tree, as the CLI would from
// disk: the main files are passed as texts, every other file is read through readFile.

import path from 'node:path';
import { StackFileError, type Diagnostic } from '../../model/diagnostics.js';
import { loadStack, type LoadInput } from '../../planner/load/load.js';
import type { Stack } from '../../model/types.js';

export const ROOT = '/proj';

export interface TreeLoad extends Partial<Omit<LoadInput, 'files' | 'readFile'>> {
  /** Main files, relative to ROOT (default: stack.yaml). */
  main?: string[];
}

export function loadTree(tree: Record<string, string>, opts: TreeLoad = {}): Stack & { warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  const abs = (p: string) => path.resolve(ROOT, p);
  const byAbs = new Map(Object.entries(tree).map(([p, text]) => [abs(p), text]));
  const { main = ['stack.yaml'], ...rest } = opts;
  const stack = loadStack({
    projectDir: ROOT,
    env: {},
    cwd: ROOT,
    onWarning: (w) => warnings.push(w),
    ...rest,
    files: main.map((p) => ({ path: p, text: tree[p] ?? '' })),
    readFile: (p) => byAbs.get(p),
  });
  return Object.assign(stack, { warnings });
}

/** The diagnostics of loading `tree`, as `file:line:col: message`. */
export function treeProblems(tree: Record<string, string>, opts: TreeLoad = {}): string[] {
  try {
    loadTree(tree, opts);
  } catch (e) {
    if (e instanceof StackFileError) return e.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message}`);
    throw e;
  }
  throw new Error('expected the stack to be rejected');
}

export const service = (stack: Stack, name: string) => {
  const s = stack.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name} in ${stack.services.map((x) => x.name).join(', ')}`);
  return s;
};
