// What every semantic rule gets: the loaded document (never trusted: the schema may have
// failed), safe accessors, and `at` to report a problem at a path of the document.

import type { PathSeg } from '../source-map.js';

export type Obj = Record<string, unknown>;

export const obj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface RuleContext {
  root: Obj;
  /** Raw services by name (entries that are not mappings are left out). */
  services: Map<string, Obj>;
  /** Service names, sorted. */
  names: string[];
  /** Keys of the top-level section (`networks`, `volumes`, `secrets`, `configs`). */
  declared: (section: string) => string[];
  /** Report a problem at `path`, pointing at the key or the value there. */
  at: (path: PathSeg[], message: string, where?: 'key' | 'value') => void;
  /** Variables for `~` in host paths. */
  env: Record<string, string | undefined>;
  /** CPUs of the host the stack is for (cpus limits above it are refused); unknown to `config`. */
  hostCpus?: number;
  /** The host's Linux security modules (/sys/kernel/security/lsm); unknown to `config`. */
  hostLsms?: readonly string[];
}

/** The names an attribute lists (list items or map keys), each with the path of its entry. */
export function references(service: Obj, key: string): { name: string; path: PathSeg[]; at: 'key' | 'value' }[] {
  const v = service[key];
  if (Array.isArray(v))
    return v.flatMap((n, i) => (typeof n === 'string' ? [{ name: n, path: [key, i], at: 'value' as const }] : []));
  const m = obj(v);
  return m ? Object.keys(m).map((n) => ({ name: n, path: [key, n], at: 'key' as const })) : [];
}

/** `"web"`-style quoting for messages. */
export const q = (s: string) => `"${s}"`;
