// The ways a build fails, typed so `cli/` renders them: a Dockerfile the builder cannot read
// or plan (every problem at once, `Dockerfile:line:col` with the line), and a step that ran
// and failed (the step, its exit code and the last lines it printed). Also what the step
// machinery throws that the stage turns into a Dockerfile diagnostic: here, not beside the
// code that throws it, so the stage (loaded for every build) need not load that machinery
// (layer-stack.ts reads overlay marks through libc, so koffi) to recognise them.

import { StackFileError, type Diagnostic } from '../../model/diagnostics.js';
import type { SourcePos } from './dockerfile-instructions.js';

export class DockerfileError extends StackFileError {
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics);
    this.name = 'DockerfileError';
  }
}

/** A diagnostic at `pos` of the Dockerfile `text` (read as `file`). */
export function dockerfileDiagnostic(file: string, text: string, pos: SourcePos, message: string): Diagnostic {
  return { file, line: pos.line, col: pos.col, message, sourceLine: text.split('\n')[pos.line - 1] ?? '' };
}

export class BuildStepError extends Error {
  readonly diagnostic: Diagnostic;
  readonly exitCode: number;
  /** The step's last output lines. */
  readonly tail: string[];
  constructor(diagnostic: Diagnostic, step: string, exitCode: number, tail: string[]) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.col}: ${step} failed with exit code ${exitCode}`);
    this.name = 'BuildStepError';
    this.diagnostic = diagnostic;
    this.exitCode = exitCode;
    this.tail = tail;
  }
}

/** A path of the image that cannot be resolved (a loop of symbolic links); layer-stack.ts. */
export class LayerPathError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LayerPathError';
  }
}

/** A --chown user or group the image's passwd or group file does not name; resolve-owner.ts. */
export class OwnerLookupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OwnerLookupError';
  }
}
