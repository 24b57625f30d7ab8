// Compares two comparable images (tree + config) and names each difference, so a failing
// comparison says which path or field differs and how, not only that the images differ.

import type { ComparableConfig } from './image-config.js';
import type { ImageTree, TreeEntry } from './image-tree.js';

export interface ComparableImage {
  tree: ImageTree;
  config: ComparableConfig;
}

export interface Difference {
  /** A path of the tree (`/etc/passwd`) or `config.<Field>`. */
  where: string;
  /** `only in reference`, `only in stack`, or the entry field that differs (`mode`, `sha256`…) or `value`. */
  what: string;
  reference?: unknown;
  stack?: unknown;
}

const ENTRY_FIELDS: (keyof TreeEntry)[] = ['type', 'mode', 'uid', 'gid', 'size', 'text', 'sha256', 'target', 'device'];

export function describeDifference(d: Difference): string {
  if (d.what === 'only in reference' || d.what === 'only in stack') return `${d.where}: ${d.what}`;
  return `${d.where}: ${d.what} ${JSON.stringify(d.reference)} (reference) vs ${JSON.stringify(d.stack)} (stack)`;
}

export function diffImages(reference: ComparableImage, stack: ComparableImage): Difference[] {
  const out: Difference[] = [];
  const paths = [...new Set([...reference.tree.keys(), ...stack.tree.keys()])].sort();
  for (const p of paths) {
    const r = reference.tree.get(p);
    const s = stack.tree.get(p);
    if (!s) out.push({ where: p, what: 'only in reference', reference: r });
    else if (!r) out.push({ where: p, what: 'only in stack', stack: s });
    else
      for (const f of ENTRY_FIELDS) {
        // Two small texts that differ say more than their hashes.
        const shown = f === 'sha256' && r.text !== undefined && s.text !== undefined;
        if (r[f] !== s[f] && !shown) out.push({ where: p, what: f, reference: r[f], stack: s[f] });
      }
  }
  const fields = [...new Set([...Object.keys(reference.config), ...Object.keys(stack.config)])].sort();
  for (const f of fields) {
    const r = reference.config[f as keyof ComparableConfig];
    const s = stack.config[f as keyof ComparableConfig];
    if (JSON.stringify(r) !== JSON.stringify(s))
      out.push({ where: `config.${f}`, what: 'value', reference: r, stack: s });
  }
  return out;
}

/** A difference the comparison accepts, with the reason it is accepted. */
export interface AllowedDifference {
  /** Fixture names it applies to; every fixture when absent. */
  fixtures?: string[];
  where: RegExp;
  /** The entry field or `only in …`; any when absent. */
  what?: string;
  reason: string;
}

export function unexplained(fixture: string, diffs: Difference[], allowed: AllowedDifference[]): Difference[] {
  return diffs.filter(
    (d) =>
      !allowed.some(
        (a) => (!a.fixtures || a.fixtures.includes(fixture)) && a.where.test(d.where) && (!a.what || a.what === d.what),
      ),
  );
}

/** For storing and caching: a tree as a sorted plain object. */
export function imageToJson(img: ComparableImage): { tree: Record<string, TreeEntry>; config: ComparableConfig } {
  return { tree: Object.fromEntries([...img.tree].sort(([a], [b]) => (a < b ? -1 : 1))), config: img.config };
}

export function imageFromJson(json: { tree: Record<string, TreeEntry>; config: ComparableConfig }): ComparableImage {
  return { tree: new Map(Object.entries(json.tree)), config: json.config };
}
