// Stage 2: variable interpolation in values (never keys), as docker compose does it:
// `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`,
// `${VAR:+alt}`, `${VAR+alt}`, `$$` for a literal `$`. Defaults may nest (`${A:-${B}}`).
// A `$` that starts none of these stays as written, as in compose-go.
// An unset variable without a default becomes the empty string, with a warning.

import type { Diagnostic } from '../../model/diagnostics.js';
import { diagAt, offsetPos, type SourceFile } from './source-map.js';
import { walkYaml } from './walk-yaml.js';

export type Env = Record<string, string | undefined>;

/**
 * The variables of `layers`: a name's value is that of the first layer that sets it (to
 * anything but undefined). Nothing is copied: a copy reads every variable, and
 * COMPOSE_PROJECT_NAME is a lazy one that parses the stack files once more
 * (project-name-variable.ts) — for a 1000-service file that second parse was a third of
 * `stack plan`.
 */
export function layeredEnv(...layers: readonly Env[]): Env {
  const value = (name: string | symbol) => {
    if (typeof name !== 'string') return undefined;
    for (const layer of layers) {
      const v = layer[name];
      if (v !== undefined) return v;
    }
    return undefined;
  };
  return new Proxy({} as Env, { get: (_, name) => value(name), has: (_, name) => value(name) !== undefined });
}

/** A problem at `index` (a character offset in the interpolated string). */
export class InterpolationError extends Error {
  constructor(
    message: string,
    readonly index: number,
    /** The text of the offending expression, used to find it in the source. */
    readonly expr: string,
  ) {
    super(message);
    this.name = 'InterpolationError';
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Index of the `}` closing the `${` at `open`, honouring nested `${…}`; -1 if none. */
export function closingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '$') i++;
    else if (s[i] === '$' && s[i + 1] === '{') (depth++, i++);
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function braced(body: string, env: Env, at: number, expr: string, onMissing?: (name: string) => void): string {
  const m = NAME.exec(body);
  if (!m) throw new InterpolationError(`invalid interpolation format "${expr}": expected a variable name`, at, expr);
  const name = m[0];
  const rest = body.slice(name.length);
  const value = env[name];
  if (rest === '') {
    if (value === undefined) onMissing?.(name);
    return value ?? '';
  }
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (!op) throw new InterpolationError(`invalid interpolation format "${expr}"`, at, expr);
  const arg = () => interpolateString(rest.slice(op.length), env, at + 2 + name.length + op.length, onMissing);
  const unset = value === undefined;
  const empty = unset || value === '';
  switch (op) {
    case ':-':
      return empty ? arg() : value!;
    case '-':
      return unset ? arg() : value!;
    case ':+':
      return empty ? '' : arg();
    case '+':
      return unset ? '' : arg();
    default: {
      const missing = op === ':?' ? empty : unset;
      if (!missing) return value!;
      const why = arg();
      throw new InterpolationError(`required variable ${name} is missing a value${why ? `: ${why}` : ''}`, at, expr);
    }
  }
}

/**
 * Interpolates one string; throws InterpolationError at the first problem. `onMissing` hears
 * of each unset variable used without a default (compose warns and uses an empty string).
 */
export function interpolateString(s: string, env: Env, base = 0, onMissing?: (name: string) => void): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = s[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '{') {
      const close = closingBrace(s, i);
      if (close < 0) {
        // A multi-line value (a script) is named by its line, not all of it.
        const end = s.indexOf('\n', i);
        const line = s.slice(s.lastIndexOf('\n', i) + 1, end < 0 ? undefined : end);
        throw new InterpolationError(
          `unterminated "\${" in "${line}"`,
          base + i,
          s.slice(i, end < 0 ? undefined : end),
        );
      }
      out += braced(s.slice(i + 2, close), env, base + i, s.slice(i, close + 1), onMissing);
      i = close;
    } else {
      const m = NAME.exec(s.slice(i + 1));
      if (!m) {
        // compose-go's pattern matches `$$`, `$NAME` and `${…}` only: any other `$` ("5$",
        // "$1", "$(hostname)", "^re$") is left as written.
        out += c;
        continue;
      }
      if (env[m[0]] === undefined) onMissing?.(m[0]);
      out += env[m[0]] ?? '';
      i += m[0].length;
    }
  }
  return out;
}

/** Where in the file an expression of a scalar's value starts: found in the scalar's source. */
function exprOffset(file: SourceFile, range: [number, number, number], value: string, err: InterpolationError): number {
  const src = file.text.slice(range[0], range[1]);
  let nth = 0;
  for (let k = value.indexOf(err.expr); k >= 0 && k < err.index; k = value.indexOf(err.expr, k + 1)) nth++;
  let pos = -1;
  for (let n = 0; n <= nth; n++) {
    pos = src.indexOf(err.expr, pos + 1);
    if (pos < 0) return range[0];
  }
  return range[0] + pos;
}

/**
 * Interpolates every string value of the document in place; returns located problems, and
 * one located warning per variable that is used without being set.
 */
export function interpolateDocument(file: SourceFile, env: Env, warnings: Diagnostic[] = []): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const warned = new Set(warnings.map((w) => w.message));
  walkYaml(file.doc, {
    value(node) {
      if (typeof node.value !== 'string' || !node.value.includes('$')) return;
      const original = node.value;
      const onMissing = (name: string) => {
        const message = `the "${name}" variable is not set; defaulting to a blank string`;
        if (warned.has(message)) return;
        warned.add(message);
        warnings.push(diagAt(file, offsetPos(file, node.range?.[0] ?? 0), message));
      };
      try {
        node.value = interpolateString(original, env, 0, onMissing);
      } catch (e) {
        if (!(e instanceof InterpolationError)) throw e;
        const at = node.range ? exprOffset(file, node.range, original, e) : 0;
        diagnostics.push(diagAt(file, offsetPos(file, at), e.message));
      }
    },
  });
  return diagnostics;
}
