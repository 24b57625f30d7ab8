// Stage 1b: a parsed YAML document → plain JS values, each mapping and list recording where
// its entries were written (source-map.ts origins). Done here instead of yaml's toJS() so
// that:
//   - aliases and `<<` merge keys are expanded under a budget: an alias bomb ("billion
//     laughs") stops with a located error after a bounded amount of work and memory;
//   - an alias inside its own anchor (`a: &a [*a]`, `x: &x {<<: *x}`) is a located error,
//     not a stack overflow;
//   - `!reset` and `!override` (docker compose's tags for override files) are taken out of
//     the value and reported as paths for the merge stage;
//   - a key that is not a string (a service named `7`, `environment: {42: x}`) is an error,
//     as in compose-go, instead of becoming the string yaml would print.

import { isAlias, isMap, isPair, isScalar, isSeq, visit, type Alias, type Node, type Pair } from 'yaml';
import type { Diagnostic } from '../../model/diagnostics.js';
import { copyOrigin, diagAt, offsetPos, setOrigin, type Origin, type PathSeg, type SourceFile } from './source-map.js';

/** Values materialised through aliases, per file, before we call it an alias bomb. */
export const ALIAS_BUDGET = 100_000;

export interface ResetTag {
  path: PathSeg[];
  /** `reset` drops the value; `override` replaces what earlier files set instead of merging. */
  kind: 'reset' | 'override';
}

export interface Converted {
  value: unknown;
  resets: ResetTag[];
  diagnostics: Diagnostic[];
}

class Stop extends Error {
  constructor(readonly diagnostic: Diagnostic) {
    super(diagnostic.message);
  }
}

type Obj = Record<string, unknown>;

const isMergeKey = (key: unknown): boolean => isScalar(key) && (typeof key.value === 'symbol' || key.source === '<<');

/** Why a mapping key is refused (it is not a string), or undefined. */
function nonStringKey(key: unknown): string | undefined {
  if (isScalar(key) && typeof key.value === 'string') return undefined;
  const shown = isScalar(key) ? String(key.source ?? key.value) : keyString(key);
  return `the key ${shown} is not a string; keys must be strings: quote it ("${shown}")`;
}

function keyString(key: unknown): string {
  if (isScalar(key)) return String(key.value);
  return String((key as { toString?: () => string })?.toString?.() ?? key);
}

/**
 * Resolves aliases through one index of the anchors (yaml's Alias.resolve walks the whole
 * document for every alias, which makes a file with many aliases quadratic). An alias
 * refers to the last anchor of that name before it.
 */
function anchorResolver(file: SourceFile): (alias: Alias) => Node | undefined {
  const anchors = new Map<string, Node[]>();
  visit(file.doc, (_key, node) => {
    const n = node as Node;
    if (n && 'anchor' in n && typeof n.anchor === 'string') {
      const list = anchors.get(n.anchor) ?? [];
      list.push(n);
      anchors.set(n.anchor, list);
    }
  });
  return (alias) => {
    const at = alias.range?.[0] ?? Infinity;
    const list = anchors.get(alias.source) ?? [];
    let found: Node | undefined;
    for (const n of list) if ((n.range?.[0] ?? 0) < at) found = n;
    return found;
  };
}

export function yamlToJs(file: SourceFile): Converted {
  const resolve = anchorResolver(file);
  const resets: ResetTag[] = [];
  let budget = ALIAS_BUDGET;
  const keyProblems: Diagnostic[] = [];
  const reportedKeys = new Set<number>();
  /** Nodes being converted right now: an alias to one of them is a recursive alias. */
  const open = new Set<Node>();
  /** The alias being expanded in the document (not one inside its anchor): where a bomb is reported. */
  let outerAlias: Node | undefined;
  const fail = (node: Node | Pair | null | undefined, message: string): never => {
    const at = (isPair(node) ? (node.key as Node | null)?.range?.[0] : node?.range?.[0]) ?? 0;
    throw new Stop(diagAt(file, offsetPos(file, at), message));
  };
  const originFor = (keyNode: unknown, valueNode: unknown): Origin => {
    const key = (keyNode as Node | null)?.range;
    const value = (valueNode as Node | null)?.range;
    return { file, ...(key ? { key: key[0] } : {}), value: value ? value[0] : key ? key[1] : 0 };
  };

  function convert(node: unknown, path: PathSeg[], viaAlias: boolean): unknown {
    if (node === null || node === undefined) return null;
    if (viaAlias && --budget < 0) {
      fail(
        outerAlias ?? (node as Node),
        `YAML aliases in ${file.path} expand to more than ${ALIAS_BUDGET} values; this looks like an alias bomb ("billion laughs"): use fewer nested aliases`,
      );
    }
    if (isAlias(node)) {
      const target = resolve(node);
      if (!target) fail(node, `YAML alias *${node.source} refers to no anchor`);
      if (open.has(target!))
        fail(
          node,
          `YAML alias *${node.source} is used inside its own anchor &${node.source}; a value cannot contain itself`,
        );
      const outermost = outerAlias === undefined;
      if (outermost) outerAlias = node;
      try {
        return convert(target, path, true);
      } finally {
        if (outermost) outerAlias = undefined;
      }
    }
    const n = node as Node;
    if (isScalar(n)) return n.value;
    open.add(n);
    try {
      if (isSeq(n)) return convertSeq(n.items, path, viaAlias);
      if (isMap(n)) return convertMap(n.items as Pair[], path, viaAlias);
    } finally {
      open.delete(n);
    }
    return null;
  }

  /** Handles `!reset`/`!override`; true when the value is to be dropped. */
  function tagged(node: unknown, path: PathSeg[]): boolean {
    const tag = (node as Node | null)?.tag;
    if (tag === '!reset') resets.push({ path, kind: 'reset' });
    if (tag === '!override') resets.push({ path, kind: 'override' });
    return tag === '!reset';
  }

  function convertSeq(items: unknown[], path: PathSeg[], viaAlias: boolean): unknown[] {
    const out: unknown[] = [];
    for (const item of items) {
      const itemPath = [...path, out.length];
      if (tagged(item, itemPath)) continue;
      setOrigin(out, out.length, originFor(undefined, item));
      out.push(convert(item, itemPath, viaAlias));
    }
    return out;
  }

  function convertMap(pairs: Pair[], path: PathSeg[], viaAlias: boolean): Obj {
    const out: Obj = {};
    const merges: Pair[] = [];
    for (const pair of pairs) {
      if (isMergeKey(pair.key)) {
        merges.push(pair);
        continue;
      }
      const problem = nonStringKey(pair.key);
      const at = (pair.key as Node | null)?.range?.[0] ?? 0;
      // Once per key written, however many aliases expand it.
      if (problem && !reportedKeys.has(at)) {
        reportedKeys.add(at);
        keyProblems.push(diagAt(file, offsetPos(file, at), problem));
      }
      const key = keyString(pair.key);
      const keyPath = [...path, key];
      if (tagged(pair.value, keyPath)) continue;
      setOrigin(out, key, originFor(pair.key, pair.value));
      out[key] = convert(pair.value, keyPath, viaAlias);
    }
    // `<<: *a` or `<<: [*a, *b]`: fills keys not set here; earlier sources win over later ones.
    for (const pair of merges) {
      const alias = isAlias(pair.value);
      const v = alias ? resolve(pair.value as Alias) : pair.value;
      if (alias && isSeq(v) && open.has(v))
        fail(pair, 'a "<<" merge key refers to a list that contains this mapping; a value cannot contain itself');
      const sources = isSeq(v) ? v.items : [pair.value];
      for (const source of sources) {
        const merged = convert(source, path, viaAlias || (alias && isSeq(v)));
        if (merged === null || typeof merged !== 'object' || Array.isArray(merged)) {
          fail(pair, 'the value of a "<<" merge key must be a mapping or a list of mappings');
        }
        for (const [k, value] of Object.entries(merged as Obj)) {
          if (k in out) continue;
          out[k] = value;
          copyOrigin(merged, k, out, k);
        }
      }
    }
    return out;
  }

  try {
    const value = convert(file.doc.contents, [], false);
    return { value, resets, diagnostics: keyProblems };
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    return { value: undefined, resets, diagnostics: [e.diagnostic] };
  }
}
