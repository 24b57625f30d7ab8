// The variables a stack file uses, as `docker compose config --variables` lists them
// (compose-go's template.ExtractVariables): each `$NAME`/`${NAME…}` in a value (never a
// key), with its default (`:-`/`-`), its alternate value (`:+`/`+`) and whether it is
// required (`:?`/`?`). `$$` is a literal dollar. Variables inside a default are listed too.

import { closingBrace } from './interpolate.js';

export interface UsedVariable {
  name: string;
  required: boolean;
  defaultValue: string;
  alternateValue: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function braced(body: string, found: UsedVariable[]): void {
  const name = NAME.exec(body)?.[0];
  if (!name) return;
  const rest = body.slice(name.length);
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0] ?? '';
  const arg = rest.slice(op.length);
  found.push({
    name,
    required: op.includes('?'),
    defaultValue: op.includes('-') ? arg : '',
    alternateValue: op.includes('+') ? arg : '',
  });
  if (op) variablesInString(arg, found);
}

/** Appends the variables `s` uses to `found`. */
export function variablesInString(s: string, found: UsedVariable[]): void {
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '$') continue;
    const next = s[i + 1];
    if (next === '$') i++;
    else if (next === '{') {
      const close = closingBrace(s, i);
      if (close < 0) return;
      braced(s.slice(i + 2, close), found);
      i = close;
    } else {
      const name = NAME.exec(s.slice(i + 1))?.[0];
      if (!name) continue;
      found.push({ name, required: false, defaultValue: '', alternateValue: '' });
      i += name.length;
    }
  }
}

/**
 * Every variable the plain values of `docs` use, one entry per name sorted by name; a name
 * used several times keeps what its uses say (required if any use requires it, the first
 * default and alternate given).
 */
export function variablesUsed(docs: readonly unknown[]): UsedVariable[] {
  const found: UsedVariable[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') variablesInString(v, found);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  docs.forEach(walk);
  const byName = new Map<string, UsedVariable>();
  for (const v of found) {
    const had = byName.get(v.name);
    if (!had) byName.set(v.name, { ...v });
    else {
      had.required ||= v.required;
      had.defaultValue ||= v.defaultValue;
      had.alternateValue ||= v.alternateValue;
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}
