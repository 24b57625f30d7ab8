// Renders stack file diagnostics for a terminal: location and message, the source line,
// and a caret under the column, then a one-line summary. Control characters of the file
// are shown escaped (terminal-text.ts), and the caret still points at its column.

import { formatDiagnostic, type Diagnostic } from '../model/diagnostics.js';
import { escapeLine } from './terminal-text.js';

const INDENT = '    ';

/** `what` names the file the problems are in, for the summary line. */
export function renderDiagnostics(diags: Diagnostic[], what = 'stack file'): string {
  const lines: string[] = [];
  for (const d of diags) {
    lines.push(escapeLine(formatDiagnostic(d)));
    if (d.sourceLine !== undefined) {
      const source = escapeLine(d.sourceLine.replace(/\s+$/, ''));
      // Keep tabs so the caret lines up whatever the tab width; an escape is as wide as it is shown.
      const pad = escapeLine(d.sourceLine.slice(0, Math.max(d.col - 1, 0))).replace(/[^\t]/g, ' ');
      lines.push(`${INDENT}${source}`, `${INDENT}${pad}^`);
    }
  }
  const n = diags.length;
  lines.push(`${n} ${n === 1 ? 'problem' : 'problems'} found in ${what}; nothing was changed.`);
  return lines.join('\n');
}
