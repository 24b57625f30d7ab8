// Renders stack file diagnostics for a terminal: location and message, the source line,
// and a caret under the column, then a one-line summary.

import { formatDiagnostic, type Diagnostic } from '../planner/diagnostics.js';

const INDENT = '    ';

export function renderDiagnostics(diags: Diagnostic[]): string {
  const lines: string[] = [];
  for (const d of diags) {
    lines.push(formatDiagnostic(d));
    if (d.sourceLine !== undefined) {
      const source = d.sourceLine.replace(/\s+$/, '');
      // Keep tabs so the caret lines up whatever the tab width.
      const pad = d.sourceLine.slice(0, Math.max(d.col - 1, 0)).replace(/[^\t]/g, ' ');
      lines.push(`${INDENT}${source}`, `${INDENT}${pad}^`);
    }
  }
  const n = diags.length;
  lines.push(`${n} ${n === 1 ? 'problem' : 'problems'} found in stack file; nothing was changed.`);
  return lines.join('\n');
}
