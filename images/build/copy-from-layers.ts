// COPY --from=<stage|image>: the sources are paths in another image's root, read through
// its layers as overlayfs would show them (layer-stack.ts) — no mount. Wildcards match in
// the last path segment as docker's do; a folder source copies its contents, with the same
// destination rules as a copy from the context (copy-step.ts).

import fs from 'node:fs';
import path from 'node:path';
import { BuildContextError } from './build-context.js';
import { copyEntry, ensureFolder, joinRel, lookupIsDir, type CopyInto } from './copy-step.js';
import { patternRegex } from './dockerignore.js';
import { isOpaque, isWhiteout } from '../overlay-form.js';
import { lookup, resolveInRoot } from './layer-stack.js';

/** `from`: the source image's layer folders, topmost first. */
export async function copyFromLayers(from: string[], sources: string[], into: CopyInto, what: string): Promise<void> {
  const matched = sources.flatMap((s) => matchInLayers(from, s, what));
  const stack = [into.upper, ...into.layers];
  const firstIsDir = matched.length === 1 && isDirIn(from, matched[0]!);
  const destIsDir = into.dest.endsWith('/') || matched.length > 1 || firstIsDir || lookupIsDir(stack, into.dest);
  const destRel = resolveInRoot(stack, into.dest.replace(/\/+$/, ''));
  for (const source of matched) {
    const sourceIsDir = isDirIn(from, source);
    const base = sourceIsDir ? destRel : destIsDir ? joinRel(destRel, path.posix.basename(source)) : destRel;
    for (const rel of walkLayers(from, source)) {
      const within = sourceIsDir ? path.posix.relative(source, rel) : '';
      const found = lookup(from, rel);
      if (found.kind !== 'found') continue;
      // Owners come along from another image, as in BuildKit (unless --chown).
      if (sourceIsDir && within === '') await ensureFolder(stack, into, base);
      else await copyEntry(found.file, within ? joinRel(base, within) : base, stack, { ...into, keepOwners: true });
    }
  }
}

/** The root-relative paths a source names (resolved through the image's symlinks). */
function matchInLayers(layers: string[], source: string, what: string): string[] {
  const clean = source.replace(/^\/+/, '').replace(/\/+$/, '');
  const dir = path.posix.dirname(clean);
  const last = path.posix.basename(clean);
  if (clean === '') return [''];
  if (!/[*?[]/.test(last)) {
    const rel = resolveInRoot(layers, clean);
    if (lookup(layers, rel).kind !== 'found') throw new BuildContextError(`${what}: ${source} does not exist in it`);
    return [rel];
  }
  const parent = resolveInRoot(layers, dir === '.' ? '' : dir);
  const re = patternRegex(last);
  const names = mergedNames(layers, parent).filter((n) => re.test(n));
  if (names.length === 0) throw new BuildContextError(`${what}: no file matches ${source}`);
  return names.map((n) => joinRel(parent, n));
}

function isDirIn(layers: string[], rel: string): boolean {
  const found = lookup(layers, rel);
  return found.kind === 'found' && found.stat.isDirectory();
}

/** `rel` and, for a folder, everything below it, parents before children, names sorted. */
function walkLayers(layers: string[], rel: string): string[] {
  const out = [rel];
  if (!isDirIn(layers, rel)) return out;
  for (const name of mergedNames(layers, rel)) out.push(...walkLayers(layers, joinRel(rel, name)));
  return out;
}

/** The names a folder shows: the union of its layers' entries down to an opaque one, whiteouts removed. */
export function mergedNames(layers: string[], rel: string): string[] {
  const names = new Set<string>();
  const hidden = new Set<string>();
  for (const layer of layers) {
    const dir = path.join(layer, rel);
    let st: fs.Stats;
    try {
      st = fs.lstatSync(dir);
    } catch {
      continue;
    }
    if (isWhiteout(st)) break;
    if (!st.isDirectory()) break;
    for (const name of fs.readdirSync(dir)) {
      if (hidden.has(name) || names.has(name)) continue;
      const entry = fs.lstatSync(path.join(dir, name));
      if (isWhiteout(entry)) hidden.add(name);
      else names.add(name);
    }
    if (isOpaque(dir)) break;
  }
  return [...names].sort();
}
