// Finds and reads the stack files named on the command line (or the defaults) and runs the
// pure loader on their text. The only place the planner's input touches the filesystem.

import fs from 'node:fs';
import path from 'node:path';
import { loadStack } from '../planner/load.js';
import { StackFileError } from '../planner/diagnostics.js';
import type { Stack } from '../planner/types.js';

export interface GlobalOptions {
  file?: string[];
  projectName?: string;
}

const DEFAULT_FILES = ['stack.yaml', 'stack.yml', 'compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function stackFilePaths(opts: GlobalOptions): string[] {
  if (opts.file && opts.file.length > 0) return opts.file.map((f) => path.resolve(f));
  const found = DEFAULT_FILES.map((f) => path.resolve(f)).find((f) => fs.existsSync(f));
  if (!found) throw new UsageError(`no stack file here: looked for ${DEFAULT_FILES.join(', ')} in ${process.cwd()}; pass one with -f FILE`);
  return [found];
}

export function loadStackFiles(opts: GlobalOptions): Stack {
  const files = stackFilePaths(opts).map((p) => {
    try {
      return { path: path.relative(process.cwd(), p) || p, text: fs.readFileSync(p, 'utf8') };
    } catch (err) {
      throw new UsageError(`cannot read stack file ${p}: ${(err as Error).message}`);
    }
  });
  const projectDir = path.dirname(path.resolve(files[0].path));
  return loadStack({ files, projectDir, env: process.env, ...(opts.projectName ? { projectName: opts.projectName } : {}) });
}

/**
 * The project a command acts on. `down`, `ps` and `logs` must work even when the file has
 * since become invalid, so a broken file falls back to the folder name, as compose does.
 */
export function projectOf(opts: GlobalOptions): string {
  if (opts.projectName) return opts.projectName;
  try {
    return loadStackFiles(opts).project;
  } catch (err) {
    if (!(err instanceof StackFileError)) throw err;
    const dir = path.basename(path.dirname(stackFilePaths(opts)[0]));
    return dir.toLowerCase().replace(/[^a-z0-9_-]/g, '');
  }
}
