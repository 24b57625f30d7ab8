// The error of a command that needs a project's name from a stack file that no longer
// loads. A module of its own: the error renderer (errors.ts) checks for it after any
// failure, and stack-file.ts would bring the loader (YAML, the planner) into every
// command that fails, the one-shot `stack run` among them.

import type { Diagnostic } from '../model/diagnostics.js';

/**
 * A stack file that no longer loads, read only for its project's name (`ps`, `down`, …):
 * the folder's name could be another project, and "not up" for a running stack misleads.
 */
export class ProjectOfBrokenFileError extends Error {
  constructor(
    readonly diagnostics: Diagnostic[],
    readonly files: string[],
    readonly folderName: string,
  ) {
    super(
      `the stack file ${files.join(', ')} cannot be read, so it does not say which project to act on; fix it, or name the project with -p NAME (-p ${folderName} if it is named after its folder)`,
    );
    this.name = 'ProjectOfBrokenFileError';
  }
}
