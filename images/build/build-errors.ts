// The ways a build fails, typed so `cli/` renders them: a Dockerfile the builder cannot read
// or plan (every problem at once, `Dockerfile:line:col` with the line), and a step that ran
// and failed (the step, its exit code and the last lines it printed).

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
