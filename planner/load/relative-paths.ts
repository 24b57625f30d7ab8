// Paths written relative to a file's own folder, made absolute when the service or resource
// moves into another project: an `extends` base read from another file, or a model brought
// in by `include` (compose-go paths/resolve.go does the same for those cases). Paths that
// are already absolute, `~` paths and URLs (git contexts) are left alone.

import { isAbsolute, resolve } from 'node:path';
import { isBindDevice } from '../../model/volume-driver.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const obj = (v: unknown): Obj | undefined => (isObj(v) ? v : undefined);

const isUrl = (p: string) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || p.startsWith('git@') || p.startsWith('github.com/');
const absolute = (dir: string, p: unknown): unknown =>
  typeof p === 'string' && p !== '' && !isAbsolute(p) && !p.startsWith('~') && !isUrl(p) ? resolve(dir, p) : p;

/** Rewrites one entry of a list or mapping in place (keeps its origin: same container, same key). */
function rewrite(container: Obj | unknown[], key: string | number, fn: (v: unknown) => unknown): void {
  (container as Record<string | number, unknown>)[key] = fn((container as Record<string | number, unknown>)[key]);
}

function eachEntry(v: unknown, fn: (container: Obj | unknown[], key: string | number) => void): void {
  if (Array.isArray(v)) v.forEach((_, i) => fn(v, i));
}

/** `./src:/dst:ro` → `/abs/src:/dst:ro`; a named volume (`data:/dst`) is not a path. */
function volumeEntry(dir: string, v: unknown): unknown {
  if (isObj(v)) {
    if ((v.type === undefined || v.type === 'bind') && typeof v.source === 'string' && v.source.startsWith('.'))
      v.source = absolute(dir, v.source);
    return v;
  }
  if (typeof v !== 'string' || !v.startsWith('.')) return v;
  const colon = v.indexOf(':');
  return colon < 0 ? v : `${String(absolute(dir, v.slice(0, colon)))}${v.slice(colon)}`;
}

/** A build's additional context folder (`service:NAME` and URLs are not paths); list items are `NAME=VALUE`. */
function contextEntry(dir: string, v: unknown, inList: boolean): unknown {
  if (typeof v !== 'string') return v;
  const eq = inList ? v.indexOf('=') : -1;
  const value = v.slice(eq + 1);
  return value.startsWith('service:') ? v : `${v.slice(0, eq + 1)}${String(absolute(dir, value))}`;
}

export function resolveServicePaths(service: Obj, dir: string): void {
  if (typeof service.build === 'string') service.build = absolute(dir, service.build);
  else if (isObj(service.build)) {
    service.build.context = absolute(dir, service.build.context ?? '.');
    const contexts = service.build.additional_contexts;
    if (Array.isArray(contexts)) eachEntry(contexts, (c, k) => rewrite(c, k, (e) => contextEntry(dir, e, true)));
    else if (isObj(contexts))
      for (const k of Object.keys(contexts)) rewrite(contexts, k, (e) => contextEntry(dir, e, false));
  }
  if (typeof service.env_file === 'string') service.env_file = absolute(dir, service.env_file);
  eachEntry(service.env_file, (c, k) =>
    rewrite(c, k, (e) => {
      if (isObj(e)) e.path = absolute(dir, e.path);
      return isObj(e) ? e : absolute(dir, e);
    }),
  );
  if (typeof service.label_file === 'string') service.label_file = absolute(dir, service.label_file);
  eachEntry(service.label_file, (c, k) => rewrite(c, k, (e) => absolute(dir, e)));
  if (isObj(service.extends) && typeof service.extends.file === 'string')
    service.extends.file = absolute(dir, service.extends.file);
  eachEntry(service.volumes, (c, k) => rewrite(c, k, (e) => volumeEntry(dir, e)));
  eachEntry(obj(service.develop)?.watch, (c, k) =>
    rewrite(c, k, (e) => (isObj(e) ? ((e.path = absolute(dir, e.path)), e) : e)),
  );
}

/** Every relative path of a whole document, against `dir`. */
export function resolveDocumentPaths(doc: Obj, dir: string): void {
  for (const s of Object.values(isObj(doc.services) ? doc.services : {})) if (isObj(s)) resolveServicePaths(s, dir);
  for (const key of ['secrets', 'configs']) {
    const section = doc[key];
    for (const item of Object.values(isObj(section) ? section : {}))
      if (isObj(item) && typeof item.file === 'string') item.file = absolute(dir, item.file);
  }
  for (const v of Object.values(isObj(doc.volumes) ? doc.volumes : {})) {
    if (isObj(v) && isObj(v.driver_opts) && isBindDevice(v.driver_opts))
      v.driver_opts.device = absolute(dir, v.driver_opts.device);
  }
}
