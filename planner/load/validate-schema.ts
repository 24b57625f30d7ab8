// Stage 3: structural validation with ajv against schemas/stack.schema.json. Every ajv
// error is mapped back to the YAML node it is about and phrased for a person: an unknown
// key points at the key and suggests the closest known one; the alternatives of an `anyOf`
// collapse into the one error that explains the value best.

import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic } from '../../model/diagnostics.js';
import { closest } from '../../model/edit-distance.js';
import { diagAtPath, type PathSeg, type SourceFile } from './source-map.js';
import { unsupportedKeyMessage, unsupportedValueMessage } from './unsupported-keys.js';

const require = createRequire(import.meta.url);

/** The ajv options; scripts/build-validator.mjs compiles the standalone validator with these. */
export const AJV_OPTIONS = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true } as const;
/** The schema, resolved next to this module (schemas/ in the sources, dist/schemas/ when built). */
export const SCHEMA_MODULE = '../../schemas/stack.schema.json';
/**
 * The validator precompiled at build time (ajv standalone code), written next to the built
 * module by scripts/build-validator.mjs. It spares every command ~50 ms of loading ajv and
 * compiling the schema. Absent when running from the sources (tests), where we compile.
 */
export const STANDALONE_MODULE = './validate-schema.standalone.cjs';

interface Standalone {
  default: ValidateFunction;
  /** JSON of the schema and options it was compiled from: a stale build is never used. */
  builtFrom?: { schema: string; options: string };
}

let validator: ValidateFunction | undefined;

function precompiled(schema: object): ValidateFunction | undefined {
  let mod: Standalone;
  try {
    mod = require(STANDALONE_MODULE) as Standalone;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw err;
  }
  const fresh =
    mod.builtFrom?.schema === JSON.stringify(schema) && mod.builtFrom.options === JSON.stringify(AJV_OPTIONS);
  return fresh ? mod.default : undefined;
}

function compiled(): ValidateFunction {
  if (!validator) {
    const schema = require(SCHEMA_MODULE) as object;
    validator = precompiled(schema);
    if (!validator) {
      // Loaded only here: ajv itself costs ~25 ms to load.
      const { Ajv } = require('ajv') as typeof import('ajv');
      validator = new Ajv(AJV_OPTIONS).compile(schema);
    }
  }
  return validator;
}

/**
 * Loads the validator now, before the stack file is parsed: what loading it allocates then
 * makes the young generation's collections copy the parsed file along (~15 ms of CPU for
 * 1000 services), and none of it before.
 */
export function prepareSchemaValidator(): void {
  compiled();
}

const KINDS: Record<string, string> = { services: 'service', networks: 'network', volumes: 'volume' };
const TYPE_WORDS: Record<string, string> = {
  array: 'a list',
  object: 'a mapping',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean',
  null: 'null',
};

function fmtPath(path: readonly PathSeg[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** How a person names the thing at `path`: `service "web"`, `"ports[0]" of service "web"`. */
export function label(path: readonly PathSeg[]): string {
  if (path.length === 0) return 'the top level';
  const [top, name, ...rest] = path;
  const kind = KINDS[String(top)];
  if (kind && name !== undefined) return rest.length ? `"${fmtPath(rest)}" of ${kind} "${name}"` : `${kind} "${name}"`;
  return `"${fmtPath(path)}"`;
}

/** JSON pointer → path segments, with numbers where the data holds a list. */
function toPath(pointer: string, root: unknown): PathSeg[] {
  const out: PathSeg[] = [];
  let cur: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Array.isArray(cur) ? Number(seg) : NaN;
    out.push(Number.isInteger(index) ? index : seg);
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}

function within(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}/`);
}

/** Collapses each failed `anyOf` with the errors of its alternatives (ajv lists them first). */
function collapse(errors: readonly ErrorObject[]): ErrorObject[] {
  const out: ErrorObject[] = [];
  for (const err of errors) {
    if (err.propertyName !== undefined) continue; // inner error of propertyNames; reported by its parent
    if (err.keyword !== 'anyOf') {
      out.push(err);
      continue;
    }
    const children: ErrorObject[] = [];
    while (out.length && within(out[out.length - 1]!.instancePath, err.instancePath)) children.unshift(out.pop()!);
    const specific = children.filter((c) => c.keyword !== 'type' || c.instancePath !== err.instancePath);
    if (specific.length) {
      out.push(...specific);
    } else {
      const types = [...new Set(children.flatMap((c) => String(c.params.type).split(',')))];
      out.push({ ...err, keyword: 'type', params: { type: types.join(',') } });
    }
  }
  return out;
}

function show(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

interface Described {
  path: PathSeg[];
  message: string;
  at: 'key' | 'value';
  /** For an unknown key: the known key it is probably a typo of. */
  suggests?: string;
  /** For a missing key: its name. */
  missing?: string;
}

function describe(err: ErrorObject, path: PathSeg[]): Described {
  const parent = err.parentSchema as
    | { properties?: Record<string, unknown>; propertyNames?: { description?: string }; description?: string }
    | undefined;
  switch (err.keyword) {
    case 'additionalProperties': {
      const key = String(err.params.additionalProperty);
      const where = path.length === 0 ? 'at top level' : `in ${label(path)}`;
      const unsupported = unsupportedKeyMessage(path, key, where);
      if (unsupported) return { path: [...path, key], message: unsupported, at: 'key' };
      const suggests = closest(key, Object.keys(parent?.properties ?? {}));
      const hint = suggests === undefined ? '' : `; did you mean "${suggests}"?`;
      return { path: [...path, key], message: `unknown key "${key}" ${where}${hint}`, at: 'key', suggests };
    }
    case 'required':
      const missing = String(err.params.missingProperty);
      return { path, message: `missing required key "${missing}" in ${label(path)}`, at: 'key', missing };
    case 'propertyNames': {
      const name = String(err.params.propertyName);
      const kind = KINDS[String(path[0])] ?? 'key';
      const expected = parent?.propertyNames?.description ?? 'a valid name';
      return { path: [...path, name], message: `invalid ${kind} name "${name}": expected ${expected}`, at: 'key' };
    }
    case 'type': {
      const words = String(err.params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t);
      const list = words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}` : words[0];
      return { path, message: `${label(path)} must be ${list}`, at: 'value' };
    }
    case 'pattern':
      return {
        path,
        message: `invalid value ${show(err.data)} for ${label(path)}: expected ${parent?.description ?? `a value matching ${String(err.params.pattern)}`}`,
        at: 'value',
      };
    case 'enum': {
      const unsupported = unsupportedValueMessage(path, err.data, label(path));
      if (unsupported) return { path, message: unsupported, at: 'value' };
      const allowed = (err.params.allowedValues as unknown[]).map((v) => show(v)).join(', ');
      return {
        path,
        message: `invalid value ${show(err.data)} for ${label(path)}: expected one of ${allowed}`,
        at: 'value',
      };
    }
    default:
      return {
        path,
        message: `invalid value ${show(err.data)} for ${label(path)}: ${err.message ?? 'not allowed'}`,
        at: 'value',
      };
  }
}

/** Validates the loaded document; returns one located diagnostic per problem. */
export function validateSchema(raw: unknown, files: readonly SourceFile[]): Diagnostic[] {
  const validate = compiled();
  if (validate(raw)) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  const described = collapse(validate.errors ?? []).map((err) => describe(err, toPath(err.instancePath, raw)));
  // `imgae: x` is one mistake: say "unknown key, did you mean image", not also "image missing".
  const typos = new Set(
    described.filter((d) => d.suggests).map((d) => JSON.stringify([...d.path.slice(0, -1), d.suggests])),
  );
  for (const d of described) {
    if (d.missing !== undefined && typos.has(JSON.stringify([...d.path, d.missing]))) continue;
    const diag = diagAtPath(files, d.path, d.message, d.at);
    const id = `${diag.file}:${diag.line}:${diag.col}:${diag.message}`;
    if (!seen.has(id)) (seen.add(id), out.push(diag));
  }
  return out;
}
