// Problems found in stack files. Every stage returns all the problems it finds instead of
// throwing at the first, so a user sees every mistake in one run.

export interface Diagnostic {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  message: string;
  /** The text of the offending source line (without its newline), for the caret display. */
  sourceLine?: string;
}

/** Thrown by loadStack when any diagnostic was produced; the CLI renders it. */
export class StackFileError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'StackFileError';
    this.diagnostics = diagnostics;
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.message}`;
}

/** Sort by file, then position, so output order is stable whatever the stage order. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.message.localeCompare(b.message),
  );
}
