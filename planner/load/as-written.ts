// The stack files as written, merged as `-f a -f b` merges them but not normalised, for
// `stack config --no-normalize` (variables interpolated) and `--no-interpolate` (variables
// kept as written). Neither validates beyond YAML: compose prints these views of a file
// that may not load yet.

import YAML from 'yaml';
import { interpolateString, type Env } from './interpolate.js';
import { mergeDocuments } from './merge-files.js';

type Obj = Record<string, unknown>;

function interpolated(v: unknown, env: Env): unknown {
  if (typeof v === 'string') return interpolateString(v, env);
  if (Array.isArray(v)) return v.map((x) => interpolated(x, env));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolated(x, env)]));
  return v;
}

/** Each file's document as plain values (an empty file is an empty mapping). */
export function parsedAsWritten(texts: readonly string[]): Obj[] {
  return texts.map((t) => (YAML.parse(t, { merge: true }) ?? {}) as Obj);
}

/** The files merged in order; interpolated with `env` when one is given. */
export function mergedAsWritten(texts: readonly string[], env?: Env): Obj {
  const docs = parsedAsWritten(texts).map((d) => (env ? (interpolated(d, env) as Obj) : d));
  return docs.reduce((merged, doc) => mergeDocuments(merged, doc), {});
}
