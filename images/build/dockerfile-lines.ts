// Stage 1 of reading a Dockerfile: text → logical lines, the way BuildKit's parser reads
// it. Parser directives (`# escape=`, `# syntax=`) only at the very top; a line that ends
// with the escape character (trailing blanks allowed) continues on the next, and comment
// or blank lines inside a continuation are skipped; heredoc bodies (`RUN <<EOF`) are taken
// verbatim from the lines after the instruction. Every logical line keeps where each of
// its characters came from, so later stages report `Dockerfile:line:col`.

import type { Diagnostic } from '../../model/diagnostics.js';

export interface Heredoc {
  /** The terminator word (`EOF`). */
  name: string;
  /** Lines between the instruction and the terminator, each ending in `\n`. */
  body: string;
  /** `<<EOF` expands variables in the body; `<<'EOF'` and `<<"EOF"` do not. */
  expand: boolean;
  /** `<<-EOF`: leading tabs are stripped from the body lines and the terminator. */
  stripTabs: boolean;
  /** 1-based line of the marker. */
  line: number;
}

export interface LogicalLine {
  /** The instruction text with continuations joined (escape + newline removed). */
  text: string;
  /** 1-based source line and column of each character of `text`. */
  lines: number[];
  cols: number[];
  heredocs: Heredoc[];
}

export interface DockerfileLines {
  escape: '\\' | '`';
  /** `# syntax=` as written; noted, never acted on (stack has one builder). */
  syntax?: string;
  lines: LogicalLine[];
  diagnostics: Diagnostic[];
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
/** Instructions whose arguments may name heredocs (BuildKit's list). */
const HEREDOC_INSTRUCTIONS = new Set(['RUN', 'COPY', 'ADD']);
const HEREDOC_MARKER = /<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g;

export function dockerfileLines(file: string, text: string): DockerfileLines {
  const raw = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const diagnostics: Diagnostic[] = [];
  const at = (line: number, col: number, message: string): void => {
    diagnostics.push({ file, line, col, message, sourceLine: raw[line - 1] });
  };

  let i = 0;
  let escape: '\\' | '`' = '\\';
  let syntax: string | undefined;
  const seen = new Set<string>();
  for (; i < raw.length; i++) {
    const m = DIRECTIVE.exec(raw[i]);
    if (!m || !KNOWN_DIRECTIVES.has(m[1].toLowerCase())) break;
    const key = m[1].toLowerCase();
    if (seen.has(key)) at(i + 1, 1, `only one ${key} parser directive can be used`);
    seen.add(key);
    if (key === 'escape') {
      if (m[2] === '\\' || m[2] === '`') escape = m[2];
      else at(i + 1, raw[i].indexOf(m[2]) + 1, `invalid escape token '${m[2]}'; it must be \` or \\`);
    } else if (key === 'syntax') syntax = m[2];
  }

  const continues = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`);
  const lines: LogicalLine[] = [];
  while (i < raw.length) {
    const first = raw[i].replace(/^[ \t]+/, '');
    if (first === '' || first.startsWith('#')) {
      i++;
      continue;
    }
    const logical: LogicalLine = { text: '', lines: [], cols: [], heredocs: [] };
    let n = i;
    for (;;) {
      const source = raw[n];
      const lead = n === i ? source.length - first.length : 0;
      const body = source.slice(lead);
      const m = continues.exec(body);
      const part = m ? body.slice(0, m.index) : body;
      for (let k = 0; k < part.length; k++) {
        logical.text += part[k];
        logical.lines.push(n + 1);
        logical.cols.push(lead + k + 1);
      }
      n++;
      if (!m) break;
      // A continuation skips comment and blank lines, as BuildKit does.
      while (n < raw.length && /^[ \t]*(#.*)?$/.test(raw[n])) n++;
      if (n >= raw.length) break;
    }
    i = n;
    const keyword = /^\S+/.exec(logical.text)?.[0].toUpperCase() ?? '';
    if (HEREDOC_INSTRUCTIONS.has(keyword)) i = readHeredocs(raw, i, logical, at);
    lines.push(logical);
  }
  return { escape, syntax, lines, diagnostics };
}

/** Takes the bodies of the heredocs the line names from the lines after it; returns the next line index. */
function readHeredocs(
  raw: string[],
  start: number,
  logical: LogicalLine,
  at: (l: number, c: number, m: string) => void,
): number {
  let i = start;
  for (const m of logical.text.matchAll(HEREDOC_MARKER)) {
    const [, dash, quote, name] = m;
    const stripTabs = dash === '-';
    const line = logical.lines[m.index];
    let body = '';
    let closed = false;
    for (; i < raw.length; i++) {
      const l = stripTabs ? raw[i].replace(/^\t+/, '') : raw[i];
      if (l === name) {
        closed = true;
        i++;
        break;
      }
      body += l + '\n';
    }
    if (!closed) at(line, logical.cols[m.index], `heredoc <<${name} has no closing line "${name}"`);
    logical.heredocs.push({ name, body, expand: quote === '', stripTabs, line });
  }
  return i;
}
