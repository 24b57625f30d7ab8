// Positions of values in a parsed YAML document: turns a path of keys and indices (as ajv
// reports it, or as a rule builds it) into a 1-based line and column, following aliases and
// `<<` merge keys so a value inherited from an anchor points at where it is written.

import { isAlias, isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Pair } from 'yaml';
import type { Diagnostic } from '../../model/diagnostics.js';
import type { SourcePos } from '../../model/types.js';

export type PathSeg = string | number;

export interface SourceFile {
  path: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}

interface Found {
  /** The key node of the pair holding the value (absent for sequence items and the root). */
  key?: Node;
  value?: Node;
}

function isMergeKey(key: unknown): boolean {
  return isScalar(key) && (typeof key.value === 'symbol' || key.source === '<<');
}

function deref(file: SourceFile, node: unknown): unknown {
  let n = node;
  for (let i = 0; i < 20 && isAlias(n); i++) n = n.resolve(file.doc);
  return n;
}

function findPair(file: SourceFile, map: unknown, seg: string, depth = 0): Pair | undefined {
  const m = deref(file, map);
  if (!isMap(m) || depth > 20) return undefined;
  // The last pair wins, as in the loaded value; merged mappings only fill keys not set here.
  for (let i = m.items.length - 1; i >= 0; i--) {
    const pair = m.items[i]!;
    if (!isMergeKey(pair.key) && isScalar(pair.key) && String(pair.key.value) === seg) return pair;
  }
  for (const pair of m.items) {
    if (!isMergeKey(pair.key)) continue;
    const v = deref(file, pair.value);
    const sources = isSeq(v) ? v.items : [v];
    for (const src of sources) {
      const found = findPair(file, src, seg, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** The nodes at `path`, or undefined when the path does not exist in this file. */
export function findNode(file: SourceFile, path: readonly PathSeg[]): Found | undefined {
  let found: Found = { value: (file.doc.contents ?? undefined) as Node | undefined };
  for (const seg of path) {
    const cur = deref(file, found.value);
    if (isSeq(cur) && typeof seg === 'number') {
      const item = cur.items[seg];
      if (item === undefined) return undefined;
      found = { value: item as Node };
    } else if (isMap(cur)) {
      const pair = findPair(file, cur, String(seg));
      if (!pair) return undefined;
      found = { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
    } else {
      return undefined;
    }
  }
  return found;
}

export function offsetPos(file: SourceFile, offset: number): SourcePos {
  const { line, col } = file.lineCounter.linePos(Math.min(Math.max(offset, 0), file.text.length));
  return { file: file.path, line, col };
}

/** Position of the key (prefer) or value at `path`; falls back to the closest existing parent. */
export function locate(file: SourceFile, path: readonly PathSeg[], prefer: 'key' | 'value' = 'value'): SourcePos {
  for (let n = path.length; n >= 0; n--) {
    const found = findNode(file, path.slice(0, n));
    if (!found) continue;
    const node =
      n < path.length
        ? (found.key ?? found.value)
        : prefer === 'key'
          ? (found.key ?? found.value)
          : (found.value ?? found.key);
    if (node?.range) return offsetPos(file, node.range[0]);
    if (found.key?.range) return offsetPos(file, found.key.range[1]);
  }
  return { file: file.path, line: 1, col: 1 };
}

/**
 * The text of 1-based `line`. With the parser's line starts it is found at once: scanning
 * from the top for each diagnostic made a file with thousands of problems quadratic.
 */
export function sourceLine(text: string, line: number, lineStarts?: readonly number[]): string {
  let start = 0;
  if (lineStarts !== undefined && line - 1 < lineStarts.length) start = lineStarts[line - 1]!;
  else {
    for (let i = 1; i < line; i++) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) return '';
      start = nl + 1;
    }
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '');
}

export function diagAt(file: SourceFile, pos: SourcePos, message: string): Diagnostic {
  return {
    file: pos.file,
    line: pos.line,
    col: pos.col,
    message,
    sourceLine: sourceLine(file.text, pos.line, file.lineCounter.lineStarts),
  };
}

/** A diagnostic at `path`: where the loaded value came from, else in the last file that has the path. */
export function diagAtPath(
  files: SourceSet,
  path: readonly PathSeg[],
  message: string,
  prefer: 'key' | 'value' = 'value',
): Diagnostic {
  const inTree = files.tree === undefined ? undefined : locateInTree(files.tree, path, prefer);
  if (inTree) return diagAt(inTree.file, inTree.pos, message);
  const file = [...files].reverse().find((f) => findNode(f, path)) ?? files[files.length - 1]!;
  return diagAt(file, locate(file, path, prefer), message);
}

// ---- Provenance of loaded values ------------------------------------------------------
// After extends, include and multi-file merges a value of the loaded document may come from
// any of several files. Every mapping and list the loader builds records, per key or index,
// where its entry was written; a path into the final document is located by walking it.

/** Where one entry of a loaded mapping or list was written. */
export interface Origin {
  file: SourceFile;
  /** Offset of the key (mapping entries only). */
  key?: number;
  /** Offset of the value, or of the end of the key when the value is empty. */
  value: number;
}

type Container = object;
const origins = new WeakMap<Container, Map<PathSeg, Origin>>();

export function setOrigin(container: Container, key: PathSeg, origin: Origin | undefined): void {
  if (!origin) return;
  let m = origins.get(container);
  if (!m) origins.set(container, (m = new Map()));
  m.set(key, origin);
}

export function originOf(container: unknown, key: PathSeg): Origin | undefined {
  return container !== null && typeof container === 'object' ? origins.get(container)?.get(key) : undefined;
}

/** Copies the origin of `from[fromKey]` to `to[toKey]` (when it has one). */
export function copyOrigin(from: unknown, fromKey: PathSeg, to: Container, toKey: PathSeg): void {
  setOrigin(to, toKey, originOf(from, fromKey));
}

/** The stack files of one load plus the loaded document, whose values know their origins. */
export interface SourceSet extends ReadonlyArray<SourceFile> {
  tree?: unknown;
}

export function sourceSet(files: readonly SourceFile[], tree: unknown): SourceSet {
  return Object.assign([...files], { tree });
}

/** Position of `path` in the loaded tree: the deepest entry along it whose origin is known. */
export function locateInTree(
  tree: unknown,
  path: readonly PathSeg[],
  prefer: 'key' | 'value' = 'value',
): { file: SourceFile; pos: SourcePos } | undefined {
  let cur: unknown = tree;
  let found: { origin: Origin; last: boolean } | undefined;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== 'object') break;
    const seg = Array.isArray(cur) ? Number(path[i]) : String(path[i]);
    const origin = originOf(cur, seg);
    if (!origin) break;
    found = { origin, last: i === path.length - 1 };
    cur = (cur as Record<PathSeg, unknown>)[seg];
  }
  if (!found) return undefined;
  const { origin, last } = found;
  // Within the path the key names the entry; at its end the caller says which it wants.
  const offset = (!last || prefer === 'key') && origin.key !== undefined ? origin.key : origin.value;
  return { file: origin.file, pos: offsetPos(origin.file, offset) };
}
