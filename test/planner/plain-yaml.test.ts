// The line-by-line reader of the plainest YAML (planner/load/parse-yaml-plain.ts) reads what
// it takes exactly as js-yaml does with the quick loader's schema, and steps aside
// (undefined) for everything else: every stack file of the conformance suite and the
// examples, the planner benchmark's generated files, and edge cases are read both ways.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parsePlainYaml } from '../../planner/load/parse-yaml-plain.js';
import { resolvePlain, SCHEMA } from '../../planner/load/parse-yaml-quick.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const YAML_FILE = /\.ya?ml$/;

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : yamlFiles(p);
    return YAML_FILE.test(e.name) ? [p] : [];
  });
}

const jsYaml = (text: string) => {
  try {
    return load(text, { schema: SCHEMA });
  } catch (e) {
    return e;
  }
};
const plain = (text: string) => parsePlainYaml(text, resolvePlain);

/** The planner benchmark's file of n services (bench/sections/planner.mjs). */
function generated(n: number): string {
  const lines = ['name: plan', 'services:'];
  for (let i = 1; i <= n; i++) {
    lines.push(`  s${i}:`, '    image: stack.local/busybox:latest', `    command: ["sleep", "${i}"]`);
    lines.push(`    environment: {INDEX: "${i}"}`);
    if (i > 1) lines.push(`    depends_on: [s${Math.ceil(i / 2)}]`);
  }
  lines.push('networks:', '  default:', '    ipam: {config: [{subnet: 10.124.0.0/20}]}');
  return `${lines.join('\n')}\n`;
}

describe('the plainest YAML', () => {
  const corpus = [...yamlFiles(path.join(repo, 'test/conformance')), ...yamlFiles(path.join(repo, 'examples'))];
  corpus.push(path.join(repo, 'bench/stacks/five/stack.yaml'));

  it('reads every file of the corpus it takes as js-yaml does, and takes many', () => {
    let taken = 0;
    for (const file of corpus) {
      const text = fs.readFileSync(file, 'utf8');
      const value = plain(text);
      if (value === undefined) continue;
      taken++;
      expect(value, file).toEqual(jsYaml(text));
    }
    expect(taken).toBeGreaterThan(corpus.length / 4);
  });

  it('reads the planner benchmark file', () => {
    const text = generated(50);
    expect(plain(text)).toBeDefined();
    expect(plain(text)).toEqual(jsYaml(text));
  });

  it('reads scalars, quotes, flows, empty values and compact sequences as js-yaml does', () => {
    const text = [
      'a: 0440',
      'b: 0o17',
      'c: -12',
      'd: 0x1F',
      'e: 1.5e3',
      'f: .inf',
      'g: ~',
      'h: True',
      'i: "0440"',
      "j: 'x y'",
      'k: sh -c "echo a; echo {b}"',
      'l:',
      'm: [1, "2", three, {x: 1, y: [a]}, []]',
      'n: {}',
      'o:',
      '- 8080:80',
      '- "9090:90"',
      'p:',
      '  q:',
      '    - -1',
      '    - a b',
      '  r: http://x/y',
      's: [ a , b ]',
    ].join('\n');
    expect(plain(text)).toBeDefined();
    expect(plain(text)).toEqual(jsYaml(text));
  });

  it.each([
    ['a comment after a value', 'a: b # c\n'],
    ['a # inside a value', 'a: b#c\n'],
    ['escapes', 'a: "x\\ty"\n'],
    ['a quote doubled in single quotes', "a: 'it''s'\n"],
    ['a block scalar', 'a: |\n  x\n'],
    ['a multi-line plain scalar', 'a: x\n  y\n'],
    ['a mapping in a sequence', 'a:\n  - b: c\n'],
    ['a space before the colon', 'a : b\n'],
    ['a duplicate key', 'a: 1\na: 2\n'],
    ['a tab', 'a:\n\tb: c\n'],
    ['a document marker', '---\na: b\n'],
    ['a colon in a flow scalar', 'a: [http://x]\n'],
    ['a flow over two lines', 'a: {b: 1,\n  c: 2}\n'],
    ['a quoted key', '"a": b\n'],
    ['a value after a quoted scalar', 'a: "b" c\n'],
    ['an anchor', 'a: &x b\n'],
    ['a bad dedent', 'a:\n    b: 1\n  c: 2\n'],
    ['a top-level list', '- a\n'],
    ['a __proto__ key', '__proto__: a\n'],
  ])('steps aside for %s', (_why, text) => {
    expect(plain(text)).toBeUndefined();
  });
});
