// How a failed build reads (loaded by cli/errors.ts once a command has failed): for each
// image that failed, the services it is for, then the engine's error — a Dockerfile's
// mistakes as `Dockerfile:line:col: message` with the line and a caret, all at once; a
// plan problem at its position the same way; a failing RUN as the step, its exit code
// and its last output lines. Nothing was changed: no container is touched before every
// build has ended, and a failed build stores nothing.

import { BuildStepError, DockerfileError } from '../images/build/build-errors.js';
import type { BuildsFailedError } from '../images/run-builds.js';
import { renderDiagnostics } from './render-diagnostics.js';

const INDENT = '    ';

function engineError(err: unknown): string {
  if (err instanceof DockerfileError) return renderDiagnostics(err.diagnostics, 'the Dockerfile');
  if (err instanceof BuildStepError) {
    // The step at its line with a caret (without the "problems found" summary), then what it printed last.
    const located = renderDiagnostics([{ ...err.diagnostic, message: err.message.replace(/^\S+:\d+:\d+: /, '') }]);
    const output = err.tail.length > 0 ? ['its last output lines:', ...err.tail.map((l) => `${INDENT}${l}`)] : [];
    return [...located.split('\n').slice(0, -1), ...output].join('\n');
  }
  return err instanceof Error ? err.message : String(err);
}

export function renderBuildFailures(err: BuildsFailedError): string {
  const parts = err.failures.map((f) => {
    const services = f.job.services.join(', ');
    return [`stack: the image of ${services} (${f.job.ref}) could not be built:`, engineError(f.error)].join('\n');
  });
  if (err.failures.length > 1 || !/nothing was changed\.$/.test(parts[0]!))
    parts.push('No container was changed and no image was stored.');
  return parts.join('\n');
}
