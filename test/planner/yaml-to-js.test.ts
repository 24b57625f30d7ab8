import { describe, it, expect } from 'vitest';
import { parseYaml } from '../../planner/load/parse-yaml.js';
import { locateInTree } from '../../planner/load/source-map.js';
import { ALIAS_BUDGET, yamlToJs } from '../../planner/load/yaml-to-js.js';
import { load, problems } from './helpers.js';

const convert = (text: string) => yamlToJs(parseYaml('stack.yaml', text).file);

/** A billion-laughs document: `levels` levels of 10 aliases each (10^levels strings). */
function aliasBomb(levels: number): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++)
    lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  lines.push('services:', '  a:', '    image: x', `    x-bomb: *a${levels}`);
  return lines.join('\n') + '\n';
}

describe('yamlToJs', () => {
  it('expands anchors, aliases and merge keys (one source and a list, earlier sources winning)', () => {
    const { value, diagnostics } = convert(
      [
        'x-a: &a {image: a, hostname: ha}',
        'x-b: &b {image: b, working_dir: /b}',
        'one: {<<: *a, hostname: mine}',
        'two: {<<: [*a, *b]}',
        '',
      ].join('\n'),
    );
    expect(diagnostics).toStrictEqual([]);
    expect((value as Record<string, unknown>).one).toStrictEqual({ hostname: 'mine', image: 'a' });
    expect((value as Record<string, unknown>).two).toStrictEqual({ image: 'a', hostname: 'ha', working_dir: '/b' });
  });

  it('records where every entry was written, following aliases to their anchor', () => {
    const text = 'x-a: &a\n  image: a\nservices:\n  web:\n    <<: *a\n    hostname: h\n';
    const { value } = convert(text);
    expect(locateInTree(value, ['services', 'web', 'image'])?.pos).toStrictEqual({
      file: 'stack.yaml',
      line: 2,
      col: 10,
    });
    expect(locateInTree(value, ['services', 'web', 'hostname'], 'key')?.pos).toStrictEqual({
      file: 'stack.yaml',
      line: 6,
      col: 5,
    });
    // A path that goes past the document stops at the deepest entry that exists.
    expect(locateInTree(value, ['services', 'web', 'nope', 3], 'key')?.pos).toStrictEqual({
      file: 'stack.yaml',
      line: 4,
      col: 3,
    });
  });

  it('stops a real billion-laughs alias bomb with a located error, quickly and without exhausting memory', () => {
    const before = process.memoryUsage().heapUsed;
    const { diagnostics } = convert(aliasBomb(9));
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toContain(`expand to more than ${ALIAS_BUDGET} values`);
    expect(diagnostics[0]!.message).toContain('alias bomb');
    expect(diagnostics[0]!.line).toBeGreaterThan(1);
    // Bounded work: well under what 10^9 strings would need.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024);
  });

  it('reports the bomb through loadStack as a stack file problem', () => {
    const found = problems(aliasBomb(8));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^\d+:\d+: YAML aliases in stack\.yaml expand to more than/);
  });

  it('accepts many legitimate aliases below the budget', () => {
    const services = Array.from({ length: 300 }, (_, i) => `  s${i}: {<<: *base}`).join('\n');
    const stack = load(
      `x-base: &base {image: busybox, environment: {A: "1", B: "2"}, command: [sh, -c, "true"]}\nservices:\n${services}\n`,
    );
    expect(stack.services).toHaveLength(300);
    expect(stack.services[299]!.environment).toStrictEqual({ A: '1', B: '2' });
  });

  it('rejects an alias inside its own anchor and a self-referencing merge, located', () => {
    expect(problems('services:\n  a:\n    image: x\n    x-loop: &l [1, *l]\n')).toStrictEqual([
      '4:20: YAML alias *l is used inside its own anchor &l; a value cannot contain itself',
    ]);
    expect(problems('services:\n  a: &a\n    image: x\n    <<: *a\n')).toStrictEqual([
      '4:9: YAML alias *a is used inside its own anchor &a; a value cannot contain itself',
    ]);
  });

  it('takes !reset and !override out of the value and reports their paths', () => {
    const { value, resets } = convert(
      'services:\n  a:\n    ports: !reset []\n    environment: !override {A: "1"}\n    dns: [1.1.1.1, !reset 8.8.8.8]\n',
    );
    expect(value).toStrictEqual({ services: { a: { environment: { A: '1' }, dns: ['1.1.1.1'] } } });
    expect(resets).toStrictEqual([
      { path: ['services', 'a', 'ports'], kind: 'reset' },
      { path: ['services', 'a', 'environment'], kind: 'override' },
      { path: ['services', 'a', 'dns', 1], kind: 'reset' },
    ]);
  });
});
