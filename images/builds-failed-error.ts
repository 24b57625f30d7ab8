// The builds of an `up` or `build` that failed, together. A module of its own: the error
// renderer (cli/errors.ts) checks for it after any failure, and run-builds.ts would bring
// the builders into every command that fails.

import type { BuildJob } from './build-policy.js';

export interface BuildFailure {
  job: BuildJob;
  error: unknown;
}

export class BuildsFailedError extends Error {
  constructor(readonly failures: BuildFailure[]) {
    super(
      failures
        .map(
          (f) =>
            `build of ${f.job.services.join(', ')} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`,
        )
        .join('\n'),
    );
    this.name = 'BuildsFailedError';
  }
}
