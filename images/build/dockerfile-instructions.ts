// Stage 2 of reading a Dockerfile: each logical line → an instruction: its keyword, its
// leading `--flag[=value]` words, and its arguments, in exec form when they are a JSON
// array of strings (`CMD ["a", "b"]`) and as text otherwise (shell form). What each
// instruction's arguments mean is stage 3 (dockerfile-parse.ts).

import type { Diagnostic } from '../../model/diagnostics.js';
import type { Heredoc, LogicalLine } from './dockerfile-lines.js';

export interface SourcePos {
  line: number;
  col: number;
}

export interface Flag extends SourcePos {
  name: string;
  /** undefined for a bare `--link`. */
  value?: string;
}

export interface RawInstruction extends SourcePos {
  /** Upper case: `FROM`, `RUN`, … */
  keyword: string;
  flags: Flag[];
  /** Arguments after the flags, as written (continuations joined). */
  args: string;
  argsPos: SourcePos;
  /** Index of the arguments' first character in the logical line. */
  argsIndex: number;
  /** Exec form: the arguments were a JSON array of strings. */
  json?: string[];
  heredocs: Heredoc[];
  /** Source position of character `i` of `args`. */
  posAt(i: number): SourcePos;
}

/** Instructions that take leading `--flags` (others treat `--x` as an argument). */
const TAKES_FLAGS = new Set(['FROM', 'RUN', 'COPY', 'ADD', 'HEALTHCHECK']);

export function rawInstruction(line: LogicalLine): RawInstruction {
  const pos = (i: number): SourcePos =>
    i < line.text.length
      ? { line: line.lines[i], col: line.cols[i] }
      : { line: line.lines[line.lines.length - 1] ?? 0, col: (line.cols[line.cols.length - 1] ?? 0) + 1 };
  const keywordEnd = /^\S*/.exec(line.text)![0].length;
  const keyword = line.text.slice(0, keywordEnd).toUpperCase();
  let i = skipBlanks(line.text, keywordEnd);
  const flags: Flag[] = [];
  if (TAKES_FLAGS.has(keyword)) {
    for (;;) {
      const m = /^--([A-Za-z][A-Za-z0-9-]*)(?:=((?:"[^"]*"|'[^']*'|\S)*))?(?=\s|$)/.exec(line.text.slice(i));
      if (!m) break;
      flags.push({ name: m[1], value: m[2] === undefined ? undefined : unquote(m[2]), ...pos(i) });
      i = skipBlanks(line.text, i + m[0].length);
    }
  }
  const argsStart = i;
  const args = line.text.slice(argsStart).replace(/\s+$/, '');
  return {
    keyword,
    ...pos(0),
    flags,
    args,
    argsPos: pos(argsStart),
    argsIndex: argsStart,
    json: execForm(args),
    heredocs: line.heredocs,
    posAt: (k) => pos(argsStart + k),
  };
}

function skipBlanks(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i])) i++;
  return i;
}

/** `--mount="type=cache,target=/x"` keeps what is inside the quotes. */
function unquote(v: string): string {
  return /^(["']).*\1$/.test(v) ? v.slice(1, -1) : v;
}

/** The JSON array of strings the arguments are, if they are one. */
export function execForm(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(args);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;
  } catch {
    return undefined;
  }
}

export function diagnosticAt(file: string, pos: SourcePos, message: string, source: string[]): Diagnostic {
  return { file, line: pos.line, col: pos.col, message, sourceLine: source[pos.line - 1] };
}
