// Stage: merging documents the way docker compose does (compose-go override/merge.go and
// override/uncity.go), for `-f a -f b`, override files, `extends` and included resources.
// Mappings merge key by key, lists append, scalars are replaced; some attributes have their
// own rule (RULES below). When lists merge, an entry whose identity (port, volume target,
// variable name, …) is already there replaces it in place (compose's EnforceUnicity; unlike
// compose, repeats within one file are left for validation to report). Values keep their origins (source-map.ts), so a
// diagnostic about a merged value points into the file that wrote it.

import { parsePort } from './short-forms.js';
import { copyOrigin, originOf, setOrigin, type Origin, type PathSeg } from './source-map.js';
import type { ResetTag } from './yaml-to-js.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A value together with where it was written (for values that are not containers). */
interface Located {
  value: unknown;
  origin?: Origin;
}

type Merger = (base: Located, over: Located, path: string[]) => unknown;

function matches(path: readonly string[], pattern: string): boolean {
  const parts = pattern.split('.');
  return parts.length === path.length && parts.every((p, i) => p === '*' || p === path[i]);
}

/** A list built from `items`, each keeping its origin. */
function listOf(items: Located[]): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    setOrigin(out, out.length, item.origin);
    out.push(item.value);
  }
  return out;
}

function entries(list: unknown[]): Located[] {
  return list.map((value, i) => ({ value, origin: originOf(list, i) }));
}

/** `{A: 1, B: null}` → `["A=1", "B"]` (sorted, as compose does); a string → a list of one. */
function toSequence({ value, origin }: Located): Located[] {
  if (Array.isArray(value)) return entries(value);
  if (typeof value === 'string') return [{ value, origin }];
  if (!isObj(value)) return [];
  const out: Located[] = [];
  for (const [k, v] of Object.entries(value)) {
    const at = originOf(value, k);
    if (v === null || v === undefined) out.push({ value: k, origin: at });
    else if (Array.isArray(v)) out.push(...v.map((e) => ({ value: `${k}=${String(e)}`, origin: at })));
    else out.push({ value: `${k}=${String(v)}`, origin: at });
  }
  return out.sort((a, b) => (String(a.value) < String(b.value) ? -1 : String(a.value) > String(b.value) ? 1 : 0));
}

/** `[a, b]` → `{a: dflt, b: dflt}` (each its own copy); a mapping stays as it is. */
function toMapping({ value }: Located, dflt: Obj | null): Obj {
  if (isObj(value)) return value;
  const out: Obj = {};
  if (!Array.isArray(value)) return out;
  value.forEach((name, i) => {
    out[String(name)] = dflt === null ? null : { ...dflt };
    copyOrigin(value, i, out, String(name));
  });
  return out;
}

const appendSequences: Merger = (base, over, path) => appendUnique(path, toSequence(base), toSequence(over));
const replace: Merger = (_base, over) => over.value;

const RULES: [string, Merger][] = [
  ['networks.*.ipam.config', mergeIpamConfig],
  ['networks.*.labels', appendSequences],
  ['volumes.*.labels', appendSequences],
  ['services.*.annotations', appendSequences],
  ['services.*.build', (b, o, p) => mergeMappings(buildMapping(b), buildMapping(o), p)],
  ['services.*.build.args', appendSequences],
  ['services.*.build.additional_contexts', appendSequences],
  ['services.*.build.extra_hosts', mergeExtraHosts],
  ['services.*.build.labels', appendSequences],
  ['services.*.command', replace],
  [
    'services.*.depends_on',
    (b, o, p) => {
      const dflt = { condition: 'service_started', required: true };
      return mergeMappings(toMapping(b, dflt), toMapping(o, dflt), p);
    },
  ],
  ['services.*.deploy.labels', appendSequences],
  ['services.*.dns', appendSequences],
  ['services.*.dns_opt', appendSequences],
  ['services.*.dns_search', appendSequences],
  ['services.*.entrypoint', replace],
  ['services.*.env_file', appendSequences],
  ['services.*.label_file', appendSequences],
  ['services.*.environment', appendSequences],
  ['services.*.extra_hosts', mergeExtraHosts],
  ['services.*.healthcheck.test', replace],
  ['services.*.labels', appendSequences],
  ['services.*.volumes.*.volume.labels', appendSequences],
  ['services.*.logging', mergeLogging],
  ['services.*.networks', (b, o, p) => mergeMappings(toMapping(b, null), toMapping(o, null), p)],
  ['services.*.sysctls', appendSequences],
  ['services.*.tmpfs', appendSequences],
  ['services.*.ulimits.*', replace],
];

function buildMapping({ value }: Located): Obj {
  return typeof value === 'string' ? { context: value } : isObj(value) ? value : {};
}

function mergeExtraHosts(base: Located, over: Located): unknown[] {
  const first = toSequence(base);
  const seen = new Set(first.map((e) => e.value));
  return listOf([...first, ...toSequence(over).filter((e) => !seen.has(e.value))]);
}

/** Logging options merge only when both sides name the same driver (or one names none). */
function mergeLogging(base: Located, over: Located, path: string[]): unknown {
  if (!isObj(base.value) || !isObj(over.value)) return over.value;
  const a = base.value.driver;
  const b = over.value.driver;
  return a === b || a === undefined || b === undefined ? mergeMappings(base.value, over.value, path) : over.value;
}

/** IPAM configs pair up by subnet: a matching pair merges, the override's list wins. */
function mergeIpamConfig(base: Located, over: Located, path: string[]): unknown {
  if (!Array.isArray(base.value) || !Array.isArray(over.value)) return over.value;
  const old = base.value.filter(isObj);
  return listOf(
    entries(over.value).map((e) => {
      const same = isObj(e.value) ? old.find((c) => c.subnet === (e.value as Obj).subnet) : undefined;
      return same && isObj(e.value) ? { value: mergeMappings(same, e.value, path), origin: e.origin } : e;
    }),
  );
}

/** Merges `over` into `base` (mutating base). */
export function mergeMappings(base: Obj, over: Obj, path: string[]): Obj {
  for (const [key, value] of Object.entries(over)) {
    if (!(key in base)) {
      base[key] = value;
      copyOrigin(over, key, base, key);
      continue;
    }
    const before = base[key];
    base[key] = mergeValues({ value: before, origin: originOf(base, key) }, { value, origin: originOf(over, key) }, [
      ...path,
      key,
    ]);
    // A mapping merged in place stays where it was first written (its entries know their
    // own origins); a replaced value is where the later file wrote it.
    if (base[key] !== before) copyOrigin(over, key, base, key);
  }
  return base;
}

export function mergeValues(base: Located, over: Located, path: string[]): unknown {
  const rule = RULES.find(([pattern]) => matches(path, pattern));
  if (rule) return rule[1](base, over, path);
  if (over.value === null || over.value === undefined) return base.value;
  if (isObj(base.value) && isObj(over.value)) return mergeMappings(base.value, over.value, path);
  if (Array.isArray(base.value) && Array.isArray(over.value))
    return appendUnique(path, entries(base.value), entries(over.value));
  return over.value;
}

/** Merges a whole document (a later file) into the document merged so far. */
export function mergeDocuments(base: Obj, over: Obj): Obj {
  return mergeMappings(base, over, []);
}

/** A service that `extends` another: the base service overridden by the extending one. */
export function extendService(base: Obj, service: Obj): Obj {
  return mergeMappings(base, service, ['services', '*']);
}

// ---- One entry per identity --------------------------------------------------------------

type Identity = (entry: unknown) => string;

const text = (v: unknown): string => (typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v)));
const byName: Identity = (v) => (typeof v === 'string' ? v.split('=')[0]! : text(v));
const mountTarget: Identity = (v) => {
  if (isObj(v)) return text(v.target);
  const parts = String(v).split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
};
const fileTarget =
  (dir: string): Identity =>
  (v) =>
    isObj(v) ? (v.target !== undefined ? text(v.target) : `${dir}/${text(v.source)}`) : `${dir}/${text(v)}`;
const portKey: Identity = (v) => {
  const p = parsePort(v);
  return p ? `${p.hostIp ?? '0.0.0.0'}:${p.hostPort}:${p.containerPort}/${p.protocol}` : text(v);
};

const UNIQUE: [string, Identity][] = [
  ['networks.*.labels', byName],
  ['networks.*.ipam.options', byName],
  ['services.*.annotations', byName],
  ['services.*.build.args', byName],
  ['services.*.build.additional_contexts', byName],
  ['services.*.build.platform', byName],
  ['services.*.build.tags', byName],
  ['services.*.build.labels', byName],
  ['services.*.cap_add', byName],
  ['services.*.cap_drop', byName],
  ['services.*.configs', fileTarget('')],
  ['services.*.deploy.labels', byName],
  ['services.*.devices', mountTarget],
  ['services.*.dns', byName],
  ['services.*.dns_opt', byName],
  ['services.*.dns_search', byName],
  ['services.*.environment', byName],
  ['services.*.env_file', (v) => (isObj(v) ? text(v.path) : text(v))],
  ['services.*.expose', (v) => String(v)],
  ['services.*.labels', byName],
  ['services.*.links', byName],
  ['services.*.networks.*.aliases', byName],
  ['services.*.networks.*.link_local_ips', byName],
  ['services.*.ports', portKey],
  ['services.*.profiles', byName],
  ['services.*.secrets', fileTarget('/run/secrets')],
  ['services.*.sysctls', byName],
  ['services.*.tmpfs', byName],
  ['services.*.volumes', mountTarget],
];

/**
 * `base` then `over`; in lists whose entries have an identity, an entry of `over` replaces
 * the entry of `base` with the same identity in its place. Repeats within one side are
 * kept, so that validation can still point at a file that repeats itself.
 */
function appendUnique(path: string[], base: Located[], over: Located[]): unknown[] {
  const identity = UNIQUE.find(([pattern]) => matches(path, pattern))?.[1];
  if (!identity) return listOf([...base, ...over]);
  const out = [...base];
  const index = new Map<string, number>();
  base.forEach((e, i) => {
    const id = identity(e.value);
    if (!index.has(id)) index.set(id, i);
  });
  for (const e of over) {
    const at = index.get(identity(e.value));
    if (at === undefined) out.push(e);
    else out[at] = e;
  }
  return listOf(out);
}

// ---- !reset and !override -----------------------------------------------------------------

/** Drops from `doc` (what earlier files set) every path a later file tagged `!reset` or `!override`. */
export function applyResets(doc: unknown, resets: readonly ResetTag[], prefix: PathSeg[] = []): void {
  for (const { path } of resets) {
    if (path.length <= prefix.length || !prefix.every((p, i) => p === path[i])) continue;
    let cur: unknown = doc;
    const rest = path.slice(prefix.length);
    for (const seg of rest.slice(0, -1)) cur = isObj(cur) ? cur[String(seg)] : undefined;
    // Entries of lists cannot be reset, as in compose: only mapping keys are dropped.
    if (isObj(cur)) delete cur[String(rest[rest.length - 1])];
  }
}

/** A deep copy that keeps the origins of every entry (merges mutate, so a shared base is copied). */
export function cloneTree<T>(value: T): T {
  if (Array.isArray(value)) return listOf(entries(value).map((e) => ({ ...e, value: cloneTree(e.value) }))) as T;
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = cloneTree(v);
    copyOrigin(value, k, out, k);
  }
  return out as T;
}
