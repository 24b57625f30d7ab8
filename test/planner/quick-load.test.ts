// The quick way of loading (planner/load/parse-yaml-quick.ts: js-yaml, no positions) must
// give exactly what the full way gives (yaml's Document with positions), or step aside:
// every stack file of the conformance suite and the examples is loaded both ways and the
// results compared — the Stack, or the diagnostics, and the warnings.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../model/diagnostics.js';
import { loadStack, loadStackFully, type LoadInput } from '../../planner/load/load.js';
import { NeedsFullLoad, quickLoad } from '../../planner/load/parse-yaml-quick.js';
import { parseYaml } from '../../planner/load/parse-yaml.js';
import { yamlToJs } from '../../planner/load/yaml-to-js.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STACK_FILES = new Set(['stack.yaml', 'compose.yaml', 'docker-compose.yml', 'compose.yml']);

function stackFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : stackFiles(p);
    return STACK_FILES.has(e.name) ? [p] : [];
  });
}

const corpus = [...stackFiles(path.join(repo, 'test/conformance')), ...stackFiles(path.join(repo, 'examples'))].sort();

function inputFor(file: string, onWarning: (w: Diagnostic) => void): LoadInput {
  const dir = path.dirname(file);
  const envFile = path.join(dir, 'env.json');
  const env = fs.existsSync(envFile) ? (JSON.parse(fs.readFileSync(envFile, 'utf8')) as Record<string, string>) : {};
  return {
    files: [{ path: path.basename(file), text: fs.readFileSync(file, 'utf8') }],
    projectDir: dir,
    cwd: dir,
    env,
    readFile: (abs) => (fs.existsSync(abs) && fs.statSync(abs).isFile() ? fs.readFileSync(abs) : undefined),
    onWarning,
  };
}

/** The loaded Stack, or the diagnostics; with the warnings heard. */
function outcome(load: (input: LoadInput) => unknown, file: string): unknown {
  const warnings: Diagnostic[] = [];
  try {
    return { stack: load(inputFor(file, (w) => warnings.push(w))), warnings };
  } catch (e) {
    return { error: e instanceof Error ? { name: e.name, message: e.message } : e, warnings };
  }
}

describe('loading the quick way', () => {
  it.each(corpus.map((f) => [path.relative(repo, f), f]))('gives what the full way gives: %s', (_, file) => {
    expect(outcome(loadStack, file)).toStrictEqual(outcome(loadStackFully, file));
  });

  it('is taken for most plain files of the corpus (so the comparison above tests it)', () => {
    const quick = corpus.filter((file) => {
      try {
        quickLoad(file, fs.readFileSync(file, 'utf8'), {});
        return true;
      } catch (e) {
        if (e instanceof NeedsFullLoad) return false;
        throw e;
      }
    });
    expect(quick.length).toBeGreaterThan(corpus.length / 2);
  });

  it('reads plain scalars as the full way does (YAML 1.2 core, Go octal)', () => {
    const text = [
      'scalars:',
      ...[
        '511',
        '0440',
        '08',
        '0o17',
        '0x1f',
        '+12',
        '-3',
        '1e3',
        '.5',
        '1.',
        '1_000',
        '-0o7',
        '.inf',
        '-.Inf',
        '.NaN',
        'True',
        'FALSE',
        'yes',
        'on',
        '~',
        'Null',
        '',
        '2001-12-14',
        '"1"',
        "'x: y'",
        '|\n    two\n    lines',
        '>-\n    folded\n    text',
        'plain\n    continued',
      ].map((v, i) => `  s${i}: ${v}`),
    ].join('\n');
    const full = yamlToJs(parseYaml('stack.yaml', text).file).value;
    expect(quickLoad('stack.yaml', text, {}).value).toStrictEqual(full);
  });

  it('interpolates a `$` written as a double-quoted escape, as the full way does', () => {
    const input = (text: string): LoadInput => ({
      files: [{ path: 'stack.yaml', text }],
      projectDir: '/p',
      env: { TAG: '1.2' },
    });
    for (const text of [
      'services:\n  a:\n    image: "busybox:\\x24{TAG}"\n',
      'services:\n  a:\n    image: "busybox:\\u0024TAG"\n',
      'services:\n  a:\n    image: busybox:${TAG}\n',
    ]) {
      expect(loadStack(input(text)).services[0]!.image, text).toBe('busybox:1.2');
      expect(loadStack(input(text)), text).toStrictEqual(loadStackFully(input(text)));
    }
  });

  it('places each service where the full way does, whatever whitespace and comments sit between them', () => {
    const input = (text: string): LoadInput => ({ files: [{ path: 'stack.yaml', text }], projectDir: '/p', env: {} });
    let quickOnes = 0;
    for (const text of [
      'services:\n  a:\n    image: x\n\n  # b next\n    \n  b:\n    image: y\n',
      'services:\r\n  a:\r\n    image: x\r\n  \r\n  b:\r\n    image: y\r\n',
      'services:\n\t\n  "a":\n    image: x\n  \'b\': {image: y}\n',
      'services:\n    a:\n        image: x\n    b:\n        image: y\nnetworks: {}\n',
    ]) {
      expect(loadStack(input(text)), JSON.stringify(text)).toStrictEqual(loadStackFully(input(text)));
      try {
        quickLoad('stack.yaml', text, {});
        quickOnes++;
      } catch (e) {
        if (!(e instanceof NeedsFullLoad)) throw e;
      }
    }
    // The comparison tests the quick way only where it is taken.
    expect(quickOnes).toBeGreaterThanOrEqual(3);
  });

  it('steps aside for anchors, tags, merge keys, unset variables and non-string keys', () => {
    for (const text of [
      'x: &a {image: x}\nservices:\n  a: *a\n',
      'services:\n  a:\n    image: x\n    ports: !reset []\n',
      'services:\n  a:\n    <<: {image: x}\n',
      'services:\n  a:\n    image: ${UNSET}\n',
      'services:\n  a:\n    image: x\n    environment: {42: x}\n',
      'services:\n  a:\n    image: x\n  a:\n    image: y\n',
    ])
      expect(() => quickLoad('stack.yaml', text, {}), text).toThrow(NeedsFullLoad);
  });
});
