// Where a stack variable lands in the manifests. The stack is loaded once as it is and once
// more per variable with that variable's value replaced by a marker; a string of the
// marked manifests that holds the marker, at a path the plain manifests also have, is a
// place the variable fills. A variable whose marked load fails (a number field, a port)
// or changes the shape of the manifests fills no place: its value stays as it is.

import type { K8sObject } from '../kubernetes/convert-types.js';

/** A marker no file holds by chance, and valid wherever a lowercase name is (image names, labels, hosts). */
export const markerOf = (index: number): string => `zqvar${index}qz`;

export type Path = (string | number)[];

/** A string of the manifests made of literal parts with variables between them. */
export interface Template {
  /** parts.length === variables.length + 1 */
  parts: string[];
  variables: string[];
}

/** Where variables stand in one string of the plain manifests: [start, end) spans of its text. */
export interface Place {
  object: number;
  path: Path;
  plain: string;
  spans: { start: number; end: number; variable: string }[];
}

/** Keyed by `object index/json path`. */
export type Places = Map<string, Place>;

/** The string of a place as literal parts with its variables between them. */
export function templateOf(place: Place): Template {
  const spans = [...place.spans].sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const s of spans) {
    parts.push(place.plain.slice(at, s.start));
    at = s.end;
  }
  parts.push(place.plain.slice(at));
  return { parts, variables: spans.map((s) => s.variable) };
}

const sameIdentity = (a: readonly K8sObject[], b: readonly K8sObject[]) =>
  a.length === b.length && a.every((o, i) => o.kind === b[i]!.kind && o.metadata.name === b[i]!.metadata.name);

function strings(value: unknown, at: Path, out: [Path, string][]): [Path, string][] {
  if (typeof value === 'string') out.push([at, value]);
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) strings(v, [...at, k], out);
  return out;
}

function valueAt(root: unknown, path: Path): unknown {
  let cur = root;
  for (const seg of path)
    cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return cur;
}

/** The text the variable stood for in `plain`, when `plain` is the template filled with one value. */
function filledWith(plain: string, parts: string[]): string | undefined {
  const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const m = new RegExp(`^${escaped.join('(.*?)')}$`, 's').exec(plain);
  if (!m) return undefined;
  return m.slice(1).every((v) => v === m[1]) ? m[1] : undefined;
}

/**
 * Adds the places `variable` fills to `places`, and returns the value it had in the plain
 * load (a default of `${VAR:-default}` included), or undefined when it fills none. Where
 * two variables would overlap in one string (a value that holds another's), the first keeps it.
 */
export function addPlaces(
  places: Places,
  plain: readonly K8sObject[],
  marked: readonly K8sObject[],
  variable: string,
  marker: string,
): string | undefined {
  if (!sameIdentity(plain, marked)) return undefined;
  let value: string | undefined;
  marked.forEach((object, i) => {
    for (const [path, text] of strings(object, [], [])) {
      const before = valueAt(plain[i], path);
      if (!text.includes(marker) || typeof before !== 'string') continue;
      const key = `${i}/${JSON.stringify(path)}`;
      const parts = text.split(marker);
      const filled = filledWith(before, parts);
      if (filled === undefined || (value !== undefined && filled !== value)) continue;
      let start = 0;
      const spans = parts.slice(0, -1).map((p) => {
        start += p.length;
        const span = { start, end: start + filled.length, variable };
        start = span.end;
        return span;
      });
      const place = places.get(key) ?? { object: i, path, plain: before, spans: [] };
      if (spans.some((n) => place.spans.some((o) => n.start < o.end && o.start < n.end))) continue;
      value = filled;
      place.spans.push(...spans);
      places.set(key, place);
    }
  });
  return value;
}
