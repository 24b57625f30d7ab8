// `.env` and `env_file` parsing the way docker compose reads them (compose-go dotenv):
//   KEY=value            unquoted: to the end of the line, ` #` starts a comment, trailing
//                        blanks dropped, `${VAR}` interpolated
//   KEY='value'          single quotes: literal, may span lines
//   KEY="value"          double quotes: \n \t \" \\ \$ … escapes, then interpolation; may
//                        span lines
//   export KEY=value     `export` is ignored;  KEY: value  also accepted
//   KEY                  without `=`: taken from the lookup environment when set there
//   # comment, blank lines
// Interpolation sees the lookup environment first, then the variables set earlier in the
// file (and in earlier files of the same list). Problems are located (file:line:col).

import type { Diagnostic } from '../../model/diagnostics.js';
import { interpolateString, InterpolationError, layeredEnv, type Env } from './interpolate.js';
import { sourceLine } from './source-map.js';
import { sourceText, type SourceData } from './source-text.js';

export type Vars = Record<string, string>;

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '\\': '\\',
};
const isBlank = (c: string | undefined) =>
  c === ' ' || c === '\t' || c === '\r' || c === '\v' || c === '\f' || c === '\u00a0';
const KEY_CHAR = /[\p{L}\p{N}_.\-[\]]/u;

/** Expands the escapes docker compose knows in double-quoted values; `\$` stays a literal dollar. */
function expandEscapes(s: string): string {
  return s.replace(/\\(?:([abcfnrtv$"\\])|0([0-7]{0,3}))/g, (m, c: string | undefined, octal: string | undefined) => {
    if (c === '$') return '$$';
    if (c !== undefined) return ESCAPES[c] ?? m;
    return String.fromCharCode(parseInt(octal || '0', 8));
  });
}

export interface DotenvInput {
  /** File name shown in diagnostics. */
  path: string;
  text: string;
  /** Variables `${…}` and bare `KEY` lines look up before the file's own. */
  lookup: Env;
  /** `raw`: every line is KEY=VALUE taken literally (env_file `format: raw`). */
  format?: 'raw';
}

/** Parses one file into `vars` (adding to what earlier files set); returns its problems. */
export function parseDotenv(input: DotenvInput, vars: Vars): Diagnostic[] {
  const text = input.text.replace(/^\uFEFF/, '');
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number, message: string) => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    const col = offset - (before.lastIndexOf('\n') + 1) + 1;
    diagnostics.push({ file: input.path, line, col, message, sourceLine: sourceLine(text, line) });
  };
  const interpolate = (value: string, offset: number): string => {
    try {
      return interpolateString(value, layeredEnv(input.lookup, vars));
    } catch (e) {
      if (!(e instanceof InterpolationError)) throw e;
      at(offset, e.message);
      return value;
    }
  };

  let i = 0;
  while (i < text.length) {
    while (i < text.length && (isBlank(text[i]) || text[i] === '\n')) i++;
    if (i >= text.length) break;
    if (text[i] === '#') {
      i = lineEnd(text, i);
      continue;
    }
    const exported = /^export[ \t]+/.exec(text.slice(i, i + 64));
    if (exported && input.format !== 'raw') i += exported[0].length;
    const keyStart = i;
    let j = i;
    while (j < text.length && text[j] !== '=' && text[j] !== ':' && text[j] !== '\n') j++;
    const key = text.slice(keyStart, j).replace(/[ \t\r]+$/, '');
    if (input.format === 'raw') {
      const end = lineEnd(text, j);
      if (text[j] === '=') vars[key] = text.slice(j + 1, end).replace(/\r$/, '');
      i = end;
      continue;
    }
    const bad = [...key].findIndex((c) => !KEY_CHAR.test(c));
    if (bad >= 0) {
      at(
        keyStart + bad,
        key[bad] === ' ' || key[bad] === '\t'
          ? `variable name "${key}" contains a space`
          : `unexpected character "${key[bad]}" in variable name "${key}"`,
      );
      i = lineEnd(text, j);
      continue;
    }
    if (j >= text.length || text[j] === '\n') {
      // `KEY` alone: inherited from the lookup environment, if set there.
      const value = input.lookup[key] ?? vars[key];
      if (value !== undefined) vars[key] = value;
      i = j;
      continue;
    }
    i = j + 1;
    while (isBlank(text[i]) && text[i] !== '\r') i++;
    const quote = text[i];
    if (quote === '"' || quote === "'") {
      const close = closingQuote(text, i);
      if (close < 0) {
        at(i, `unterminated quoted value for ${key}: add the closing ${quote}`);
        break;
      }
      const body = unescapeQuotes(text.slice(i + 1, close), quote);
      vars[key] = quote === "'" ? body : interpolate(expandEscapes(body), i);
      i = close + 1;
    } else {
      const end = lineEnd(text, i);
      let value = text.slice(i, end);
      const comment = value.indexOf(' #');
      if (comment >= 0) value = value.slice(0, comment);
      vars[key] = interpolate(value.replace(/[ \t\r\v\f]+$/, ''), i);
      i = end;
    }
  }
  return diagnostics;
}

const definedOnly = (env: Env): Vars =>
  Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf('\n', from);
  return nl < 0 ? text.length : nl;
}

/** Index of the quote closing the one at `open` (a backslash escapes the next character); -1 if none. */
function closingQuote(text: string, open: number): number {
  for (let k = open + 1; k < text.length; k++) {
    if (text[k] === '\\') k++;
    else if (text[k] === text[open]) return k;
  }
  return -1;
}

/** `\'` in single quotes and `\"` in double quotes become the quote; other backslashes stay. */
function unescapeQuotes(body: string, quote: string): string {
  return body.replace(/\\([\s\S])/g, (m, c: string) => (c === quote ? quote : m));
}

/**
 * The project environment: the process environment over the variables of `.env` (or of the
 * `--env-file` files, in order), as docker compose builds it. `${VAR}` in the files sees
 * the process environment first.
 */
export function projectEnvironment(
  processEnv: Env,
  files: readonly { path: string; text: SourceData }[],
): { env: Env; diagnostics: Diagnostic[] } {
  const vars: Vars = {};
  const diagnostics = files.flatMap((f) => {
    const { text, diagnostics: encoding } = sourceText(f.path, f.text);
    return [...encoding, ...(text === undefined ? [] : parseDotenv({ path: f.path, text, lookup: processEnv }, vars))];
  });
  return { env: { ...vars, ...definedOnly(processEnv) }, diagnostics };
}
