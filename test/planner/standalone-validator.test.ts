// The stack file validator precompiled by scripts/build-validator.mjs (dist/, made by
// `npm run build`): its loader decodes the code as latin1 and the code requires nothing from
// node_modules (both save every command that reads a stack file some of its start), so it
// must be ASCII, and it must still judge as ajv judges with the schema: characters past ASCII
// (the schema's `µs` durations) are escapes in it.

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { AJV_OPTIONS } from '../../planner/load/validate-schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dir = path.join(root, 'dist/planner/load');
const require = createRequire(import.meta.url);

describe('the precompiled stack file validator', () => {
  const code = fs.readFileSync(path.join(dir, 'validate-schema.standalone.code.js'), 'latin1');

  it('is ASCII and requires no module', () => {
    expect(code.match(/[^\x00-\x7f]/g) ?? []).toEqual([]);
    expect(code.match(/require\([^)]*\)/g) ?? []).toEqual([]);
  });

  it('judges as ajv with the schema does, characters past ASCII included', () => {
    const precompiled = require(path.join(dir, 'validate-schema.standalone.cjs')) as {
      default: ((v: unknown) => boolean) & { errors?: unknown };
    };
    const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas/stack.schema.json'), 'utf8')) as object;
    const compiled = new Ajv(AJV_OPTIONS).compile(schema);
    const service = (extra: object) => ({ services: { a: { image: 'busybox', ...extra } } });
    const values = [
      service({ healthcheck: { interval: '5µs' } }),
      service({ healthcheck: { interval: '5μs' } }),
      service({ healthcheck: { interval: '1m30s' } }),
      service({ container_name: 'ééé' }),
      service({ labels: { k: 'ü' }, command: ['echo', '✓'] }),
      service({ image: 'x'.repeat(3), ports: ['80:80'] }),
      { services: { 'a b': { image: 'x' } } },
    ];
    for (const value of values) {
      const verdict = precompiled.default(value);
      expect(verdict, JSON.stringify(value)).toBe(compiled(value));
      expect(precompiled.default.errors ?? null).toEqual(compiled.errors ?? null);
    }
  });
});
