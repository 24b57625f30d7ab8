// The key table (planner/load/compose-keys.ts) against the Compose Specification, stack's
// schema, and what loading a sample of each key does: no key of the specification goes
// without a status, and no key stack accepts is left unread.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, test } from 'vitest';
import { isMap, isScalar, parseDocument, stringify } from 'yaml';
import { COMPOSE_KEYS, type KeyStatus } from '../../planner/load/compose-keys.js';
import { renderComposeSupport } from '../../planner/load/compose-support-doc.js';
import { schemaKeys } from '../../planner/load/schema-keys.js';
import { loadStack } from '../../planner/load/load.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { PlanError } from '../../planner/plan/plan-error.js';
import { emptyObserved } from '../../model/observed.js';
import { StackFileError, type Diagnostic } from '../../model/diagnostics.js';
import type { Stack } from '../../model/types.js';
import { serviceBuildRequest } from '../../images/service-build-request.js';
import { image } from './reconcile-fixtures.js';
import {
  BASE,
  CONTAINERS,
  FILES,
  KEY_AT,
  OTHER_IMAGE,
  SAMPLES,
  type Sample,
  type SampleSpec,
} from './compose-key-samples.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const spec = JSON.parse(fs.readFileSync(path.join(repo, 'schemas/compose-spec-keys.json'), 'utf8')) as {
  keys: Record<string, string[]>;
};
const stackSchema = schemaKeys(JSON.parse(fs.readFileSync(path.join(repo, 'schemas/stack.schema.json'), 'utf8')));

/** Paths under a key that is refused or noted: that key's status covers them. */
function coveredByParent(pathPattern: string): boolean {
  const parts = pathPattern === '' ? [] : pathPattern.split('.');
  for (let i = parts.length; i > 0; i--) {
    const key = parts[i - 1]!;
    if (key === '*' || key === '#') continue;
    const status = COMPOSE_KEYS[parts.slice(0, i - 1).join('.')]?.[key];
    if (status && status.status !== 'works') return true;
  }
  return false;
}

const PROJECT_DIR = '/stk-keys';

interface Loaded {
  stack?: Stack;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

function loadText(text: string): Loaded {
  const warnings: Diagnostic[] = [];
  try {
    const stack = loadStack({
      files: [{ path: 'stack.yaml', text }],
      projectDir: PROJECT_DIR,
      env: { HOME: '/root' },
      readFile: (abs) => FILES[path.relative(PROJECT_DIR, abs)],
      onWarning: (w) => warnings.push(w),
    });
    return { stack, errors: [], warnings };
  } catch (err) {
    if (err instanceof StackFileError) return { errors: err.diagnostics, warnings };
    throw err;
  }
}

/** The plan of a loaded stack on an empty host with its images present, as text (or the problems that stop it). */
function planText(stack: Stack): string {
  try {
    const observed = { ...emptyObserved(stack.project), images: [image, { ...image, ref: OTHER_IMAGE }] };
    return JSON.stringify(reconcile(stack, observed));
  } catch (err) {
    if (err instanceof PlanError) return `problems: ${err.problems.join('\n')}`;
    throw err;
  }
}

/** What a build of web would run, as text: the build keys act there, not in the plan. */
function buildText(stack: Stack): string {
  const web = stack.services.find((s) => s.name === 'web');
  return web?.build ? JSON.stringify(serviceBuildRequest(stack, web), (_, v) => (v instanceof Map ? [...v] : v)) : '';
}

/** The loaded stack without source positions (adding a line moves every later one). */
const stackText = (stack: Stack) => JSON.stringify(stack, (k, v) => (k === 'pos' ? undefined : v));

const SPEC_KEYS = ['value', 'base', 'variant', 'loads', 'planSame', 'noEffect', 'refusedValue'];

/**
 * Keys stack's schema accepts and stack does not honour yet: issue 18, in work on branches
 * that make each work or refuse it. Each is expected to fail its test, so the list must
 * shrink as they land (a key that starts working fails here until it is taken off).
 */
const KNOWN_GAPS = new Set<string>([]);
/** The KNOWN_GAPS entries whose test ran: an entry that is not one is stale. */
const gapsTested = new Set<string>();
const gapTest = (name: string) => {
  if (!KNOWN_GAPS.has(name)) return test;
  gapsTested.add(name);
  return test.fails;
};
const spec_ = (s: Sample): SampleSpec =>
  typeof s === 'object' && s !== null && !Array.isArray(s) && Object.keys(s).every((k) => SPEC_KEYS.includes(k))
    ? s
    : { value: s };

function has(root: Record<string, unknown>, at: (string | number)[]): boolean {
  let node: unknown = root;
  for (const seg of at) {
    if (typeof node !== 'object' || node === null || !(seg in node)) return false;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return true;
}

function setAt(root: Record<string, unknown>, at: (string | number)[], value: unknown): void {
  let node: Record<string | number, unknown> = root;
  for (const seg of at.slice(0, -1)) {
    node[seg] ??= typeof at[at.indexOf(seg) + 1] === 'number' ? [] : {};
    node = node[seg] as Record<string | number, unknown>;
  }
  node[at[at.length - 1]!] = value;
}

/** The base file and the file with the sample, for `key` in the mapping at `pathPattern`. */
function files(
  pathPattern: string,
  key: string,
  sample: SampleSpec,
): { base: string; variant: string; keyAt: (string | number)[] } {
  const base: Record<string, unknown> = { ...structuredClone(BASE), ...structuredClone(sample.base ?? {}) };
  const container = CONTAINERS[pathPattern];
  if (!container) throw new Error(`compose-key-samples.ts: no container for the path "${pathPattern}"`);
  if (container.value !== undefined && !has(base, container.at))
    setAt(base, container.at, structuredClone(container.value));
  const variant: Record<string, unknown> = { ...structuredClone(base), ...structuredClone(sample.variant ?? {}) };
  const keyAt = [...container.at, ...(KEY_AT[pathPattern] ?? []), key];
  if (!sample.variant) setAt(variant, keyAt, sample.value);
  return { base: stringify(base), variant: stringify(variant), keyAt };
}

/** The line `key` is written on in `text`, found through the mapping that holds it. */
function lineOfKey(text: string, keyAt: (string | number)[]): number {
  const doc = parseDocument(text);
  const holder = keyAt.length === 1 ? doc.contents : doc.getIn(keyAt.slice(0, -1), true);
  const pair = isMap(holder) ? holder.items.find((p) => isScalar(p.key) && p.key.value === keyAt.at(-1)) : undefined;
  const offset = isScalar(pair?.key) ? pair.key.range![0] : -1;
  return text.slice(0, offset).split('\n').length;
}

function entries(): [string, string, KeyStatus][] {
  return Object.entries(COMPOSE_KEYS).flatMap(([p, keys]) =>
    Object.entries(keys).map(([k, s]) => [p, k, s] as [string, string, KeyStatus]),
  );
}

describe('the key table', () => {
  it('has every key of the Compose Specification', () => {
    const missing = Object.entries(spec.keys).flatMap(([p, keys]) =>
      coveredByParent(p) ? [] : keys.filter((k) => !COMPOSE_KEYS[p]?.[k]).map((k) => `${p || '(top)'}: ${k}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no key the Compose Specification lacks (but pre_start and its keys, from compose-go)', () => {
    const extra = entries()
      .filter(([p, k]) => !spec.keys[p]?.includes(k) && `${p}: ${k}` !== 'services.*: pre_start')
      .filter(([p]) => p !== 'services.*.pre_start.#')
      .map(([p, k]) => `${p || '(top)'}: ${k}`);
    expect(extra).toEqual([]);
  });

  it("has every key stack's schema accepts, and none it accepts is refused without a rule", () => {
    // A path the specification has no keys at is a free-form map there (logging.options,
    // driver_opts): what stack reads of it is its parent key's note in the table.
    const missing = [...stackSchema].flatMap(([p, keys]) =>
      coveredByParent(p) || !spec.keys[p]
        ? []
        : keys.filter((k) => !COMPOSE_KEYS[p]?.[k]).map((k) => `${p || '(top)'}: ${k}`),
    );
    expect(missing).toEqual([]);
  });

  it('lists as known gaps only keys whose test expects them to fail', () => {
    expect([...KNOWN_GAPS].filter((k) => !gapsTested.has(k))).toEqual([]);
  });

  it('docs/compose-support.md is what the table renders (npm run docs:compose-support)', () => {
    const doc = fs.readFileSync(path.join(repo, 'docs/compose-support.md'), 'utf8');
    expect(doc).toBe(renderComposeSupport());
  });
});

describe.each(entries().filter(([p]) => !coveredByParent(p)))('%s: %s', (pathPattern, key, status) => {
  const accepted = stackSchema.get(pathPattern)?.includes(key) ?? false;
  if (status.status === 'refused' && !accepted) {
    it('is refused at its line as valid Compose not supported by stack', () => {
      const { variant, keyAt } = files(pathPattern, key, spec_(SAMPLES[pathPattern]?.[key] ?? 'x'));
      const { errors } = loadText(variant);
      expect(errors.map((e) => e.message).join('\n')).toContain('valid Compose, not supported by stack');
      expect(errors.map((e) => e.line)).toContain(lineOfKey(variant, keyAt));
    });
    return;
  }
  const sample = SAMPLES[pathPattern]?.[key];
  it('has a sample', () => {
    expect(sample, `add a sample for ${pathPattern}.${key} to test/planner/compose-key-samples.ts`).toBeDefined();
  });
  if (sample === undefined) return;
  const s = spec_(sample);
  const { base, variant } = files(pathPattern, key, s);
  const loadedBase = loadText(base);
  const loadedVariant = loadText(variant);
  const errorsOf = (l: Loaded) => l.errors.map((e) => `${e.line}:${e.col}: ${e.message}`);
  if (status.status === 'refused') {
    it('is refused by a rule as valid Compose not supported by stack', () => {
      expect(errorsOf(loadedVariant).join('\n')).toMatch(/not supported/);
    });
    return;
  }
  if (status.status === 'noted') {
    const gap = gapTest(`${pathPattern}: ${key}`);
    gap('loads with a located note naming it', () => {
      expect(errorsOf(loadedVariant)).toEqual([]);
      expect(loadedVariant.warnings.map((w) => w.message).join('\n')).toContain(key);
    });
    return;
  }
  it('loads', () => {
    expect(errorsOf(loadedVariant)).toEqual([]);
  });
  if (s.loads) {
    it('makes a file load that is refused without it', () => {
      expect(loadedBase.errors).not.toEqual([]);
    });
    return;
  }
  if (s.refusedValue !== undefined) {
    it('accepts the default and refuses other values at their line', () => {
      const other = files(pathPattern, key, { ...s, value: s.refusedValue });
      expect(errorsOf(loadText(other.variant))).not.toEqual([]);
    });
    return;
  }
  if (s.noEffect) {
    it('says in the table why it changes nothing here', () => {
      expect(status.note).toBeTruthy();
    });
    return;
  }
  // A key stack does not honour yet fails this; KNOWN_GAPS expects that.
  const gap = gapTest(`${pathPattern}: ${key}`);
  const build = pathPattern.startsWith('services.*.build') || (pathPattern === 'services.*' && key === 'build');
  gap(`changes the loaded stack${s.planSame ? '' : build ? ' and what the build runs' : ' and its plan'}`, () => {
    expect(errorsOf(loadedBase)).toEqual([]);
    expect(stackText(loadedVariant.stack!)).not.toBe(stackText(loadedBase.stack!));
    if (s.planSame) return;
    if (build) expect(buildText(loadedVariant.stack!)).not.toBe(buildText(loadedBase.stack!));
    else expect(planText(loadedVariant.stack!)).not.toBe(planText(loadedBase.stack!));
  });
});
