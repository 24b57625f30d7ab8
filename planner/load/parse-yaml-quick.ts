// Stages 1–3 the quick way, for the common stack file: plain YAML — no anchors, aliases,
// `<<` merge keys, tags, directives or complex keys — in which nothing is wrong. Such a file
// is parsed by js-yaml, without positions (cold, ~5× faster than yaml's Document: that parse
// was half of `stack plan` for 1000 services), and interpolated as plain values. Anything
// else, and any problem or warning, answers NeedsFullLoad: the caller then loads again the
// full way (parse-yaml.ts, interpolate.ts, yaml-to-js.ts), which reports each problem where
// it is written. Both ways give the same values (test/planner/quick-load.test.ts).

import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { interpolateString, InterpolationError, type Env } from './interpolate.js';
import { parsePlainYaml } from './parse-yaml-plain.js';
import { setOrigin, type SourceFile } from './source-map.js';

/** The quick way cannot give the full way's result for this input: load it the full way. */
export class NeedsFullLoad extends Error {
  constructor(why: string) {
    super(`the stack file needs the full loader: ${why}`);
  }
}

/**
 * Anchors (`&a`; an alias without one is a parse error, so aliases need no test), tags
 * (`!reset`, `!!str`), `<<`, directives (`%YAML`) and explicit keys (`? k`). Some plain text
 * matches too (`a !b`, `cat <<EOF`): such files are only loaded the slower way.
 */
const FULL_YAML = /(?:^|[\s[{,])(?:&[^\s&,[\]{}]|![^\s=,[\]{}])|<<|^%|^[ \t-]*\?(?:[ \t]|$)/m;

/** A mapping key that YAML's core schema reads as a null, boolean or number: an error at the key. */
const NON_STRING_KEY =
  /(?:^[ \t-]*|[{,][ \t]*)(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?\.?[0-9][\w.+-]*|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN))[ \t]*:(?:[ \t]|$)/m;

// The core schema's plain scalars, with the regular expressions of the yaml package (the
// full way) so both ways read every scalar alike, and Go's leading-zero octal first
// (parse-yaml.ts says why). js-yaml keeps one implicit type per tag, so each tag is one
// type trying its forms in order.
type Form = [test: RegExp, construct: (text: string) => unknown];
const IMPLICIT: [tag: string, forms: Form[]][] = [
  ['null', [[/^(?:~|[Nn]ull|NULL)?$/, () => null]]],
  ['bool', [[/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (t) => t[0] === 't' || t[0] === 'T']]],
  [
    'int',
    [
      [/^0[0-7]+$/, (t) => parseInt(t, 8)],
      [/^0o[0-7]+$/, (t) => parseInt(t.slice(2), 8)],
      [/^[-+]?[0-9]+$/, (t) => parseInt(t, 10)],
      [/^0x[0-9a-fA-F]+$/, (t) => parseInt(t.slice(2), 16)],
    ],
  ],
  [
    'float',
    [
      [
        /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
        (t) => (/n$/i.test(t) ? NaN : t[0] === '-' ? -Infinity : Infinity),
      ],
      [/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/, parseFloat],
      [/^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/, parseFloat],
    ],
  ],
];
const scalar = (tag: string, forms: Form[]) => {
  const form = (text: string | null) => forms.find(([test]) => test.test(text ?? ''));
  return new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (text: string | null) => form(text) !== undefined,
    construct: (text: string | null) => form(text)![1](text ?? ''),
  });
};
export const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: IMPLICIT.map(([tag, forms]) => scalar(tag, forms)) });

const MAYBE_NOT_TEXT = /^[-+.~0-9nNtTfF]/;

/** A plain scalar as SCHEMA reads it: the first type (in js-yaml's order) with a matching form, else the text. */
export function resolvePlain(text: string): unknown {
  // Every form starts with one of these (or is empty): most values, names and paths are text at once.
  if (text !== '' && !MAYBE_NOT_TEXT.test(text)) return text;
  for (const [, forms] of IMPLICIT) for (const [test, construct] of forms) if (test.test(text)) return construct(text);
  return text;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Interpolates every string value (never a key) in place, as interpolate.ts does to nodes. */
function interpolateValues(value: unknown, env: Env): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$')) return value;
    try {
      return interpolateString(value, env, 0, (name) => {
        throw new NeedsFullLoad(`the variable ${name} is not set (a warning)`);
      });
    } catch (e) {
      if (e instanceof InterpolationError) throw new NeedsFullLoad(e.message);
      throw e;
    }
  }
  // Written back only when changed: most values have no variable in them.
  if (Array.isArray(value))
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      const w = interpolateValues(v, env);
      if (w !== v) value[i] = w;
    }
  else if (isObj(value))
    for (const k of Object.keys(value)) {
      const v = value[k];
      const w = interpolateValues(v, env);
      if (w !== v) value[k] = w;
    }
  return value;
}

/** Line starts as yaml's parser records them, for positions should a later stage need one. */
function lineCounter(text: string): LineCounter {
  const lc = new LineCounter();
  lc.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lc.addNewLine(i + 1);
  return lc;
}

/**
 * Where the top-level `services:` key and each service's key are written, so a service keeps
 * its position (Service.pos) as the full way gives it. Found on the lines of a block mapping;
 * undefined when the file writes them otherwise or the names found differ from the parsed ones.
 */
function serviceKeys(text: string, names: readonly string[]): { at: number; keys: number[] } | undefined {
  const top = /^services[ \t]*:[ \t]*(?:#.*)?$/m.exec(text);
  if (!top) return undefined;
  const keys: number[] = [];
  const found: string[] = [];
  let indent: number | undefined;
  for (let at = text.indexOf('\n', top.index) + 1; at > 0 && at < text.length;) {
    const end = text.indexOf('\n', at);
    const lineEnd = end < 0 ? text.length : end;
    // The line's indentation without copying it: only a key line is sliced (a file of 1000
    // services has ~5 lines each). Whitespace other than spaces and tabs takes the long way.
    let depth = 0;
    let c = text.charCodeAt(at);
    while (at + depth < lineEnd && (c === 32 || c === 9)) c = text.charCodeAt(at + ++depth);
    if (at + depth < lineEnd && (c > 126 || (c < 32 && c !== 9))) {
      const line = text.slice(at, lineEnd);
      depth = line.length - line.trimStart().length;
      c = text.charCodeAt(at + depth);
    }
    if (at + depth < lineEnd && c !== 35 /* # */) {
      indent ??= depth;
      if (depth < indent || indent === 0) break;
      if (depth === indent) {
        const body = text.slice(at + depth, lineEnd);
        const key = /^(?:"([^"\\]*)"|'([^']*)'|([^\s"'#:][^:#]*?))[ \t]*:(?:[ \t]|$)/.exec(body);
        if (!key) return undefined;
        found.push(key[1] ?? key[2] ?? key[3]!);
        keys.push(at + depth);
      }
    }
    at = end + 1;
  }
  return found.length === names.length && found.every((n, i) => n === names[i]) ? { at: top.index, keys } : undefined;
}

/**
 * The file's values, interpolated, or NeedsFullLoad. `file` is the file as later stages see
 * it: its YAML document is only parsed if a stage asks for it (to locate something).
 */
export function quickLoad(path: string, text: string, env: Env): { file: SourceFile; value: Obj } {
  if (FULL_YAML.test(text)) throw new NeedsFullLoad('anchors, aliases, tags or merge keys');
  if (NON_STRING_KEY.test(text)) throw new NeedsFullLoad('a key that may not be a string');
  // The plainest files are read line by line; the rest by js-yaml.
  let value: unknown = parsePlainYaml(text, resolvePlain);
  if (value === undefined) {
    try {
      value = load(text, { schema: SCHEMA, filename: path });
    } catch (e) {
      throw new NeedsFullLoad(e instanceof Error ? e.message : String(e));
    }
  }
  if (!isObj(value)) throw new NeedsFullLoad('the top level is not a mapping');
  if (value.include !== undefined) throw new NeedsFullLoad('include');
  // A value holds a `$` only if the text has one, or a double-quoted escape (`\x24`) that reads as one.
  if (text.includes('$') || text.includes('\\')) interpolateValues(value, env);
  let doc: Document | undefined;
  const file: SourceFile = {
    path,
    text,
    lineCounter: lineCounter(text),
    get doc() {
      return (doc ??= parseDocument(text, { merge: true, uniqueKeys: false }));
    },
  };
  const services = value.services;
  const names = isObj(services) ? Object.keys(services) : [];
  if (isObj(services) && names.length) {
    if (names.some((n) => isObj(services[n]) && services[n].extends !== undefined)) throw new NeedsFullLoad('extends');
    const keys = serviceKeys(text, names);
    if (!keys) throw new NeedsFullLoad('services not written as a block mapping');
    setOrigin(value, 'services', { file, key: keys.at, value: keys.at });
    names.forEach((n, i) => setOrigin(services, n, { file, key: keys.keys[i]!, value: keys.keys[i]! }));
  }
  return { file, value };
}
