import { describe, it, expect } from 'vitest';
import { renderDiagnostics } from '../../cli/render-diagnostics.js';
import { StackFileError } from '../../model/diagnostics.js';
import { loadStack } from '../../planner/load/load.js';
import { diagnostics, problems } from './helpers.js';

describe('loadStack: diagnostics', () => {
  it('acceptance: unknown key, missing dependency and non-numeric port, all at once', () => {
    const text = [
      'services:',
      '  web:',
      '    image: nginx',
      '    foo: bar',
      '    ports:',
      '      - "8o80:80"',
      '    depends_on:',
      '      - dbb',
      '  db:',
      '    image: postgres',
      '',
    ].join('\n');
    const diags = diagnostics(text);
    expect(diags.map((d) => [d.line, d.col])).toStrictEqual([
      [4, 5],
      [6, 9],
      [8, 9],
    ]);
    expect(diags[0]).toStrictEqual({
      file: 'stack.yaml',
      line: 4,
      col: 5,
      message: 'unknown key "foo" in service "web"',
      sourceLine: '    foo: bar',
    });
    expect(diags[1]!.message).toBe(
      'invalid value "8o80:80" for "ports[0]" of service "web": expected a port mapping [IP:][HOST[-END]:]CONTAINER[-END][/tcp|udp]',
    );
    expect(diags[1]!.sourceLine).toBe('      - "8o80:80"');
    expect(diags[2]!.message).toBe('service "web" depends on unknown service "dbb"; did you mean "db"?');
  });

  it('renders each diagnostic with its source line, a caret and a summary', () => {
    const text = 'services:\n  web:\n    image: nginx\n    foo: bar\n    depends_on: [dbb]\n';
    try {
      loadStack({ files: [{ path: 'stack.yaml', text }], projectDir: '/x', env: {} });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StackFileError);
      expect(renderDiagnostics((e as StackFileError).diagnostics)).toBe(
        [
          'stack.yaml:4:5: unknown key "foo" in service "web"',
          '        foo: bar',
          '        ^',
          'stack.yaml:5:18: service "web" depends on unknown service "dbb"',
          '        depends_on: [dbb]',
          '                     ^',
          '2 problems found in stack file; nothing was changed.',
        ].join('\n'),
      );
    }
  });

  it('suggests the closest known key and does not also report the key it misspells as missing', () => {
    expect(problems('services:\n  db:\n    imgae: postgres\n')).toStrictEqual([
      '3:5: unknown key "imgae" in service "db"; did you mean "image"?',
    ]);
    expect(problems('services:\n  db:\n    image: pg\n    dependson: [x]\n')).toStrictEqual([
      '4:5: unknown key "dependson" in service "db"; did you mean "depends_on"?',
    ]);
    expect(problems('servces: {}\n')).toStrictEqual([
      '1:1: unknown key "servces" at top level; did you mean "services"?',
    ]);
    expect(problems('services:\n  db:\n    image: pg\n    ports: [{target: 80, publish: 1}]\n')).toStrictEqual([
      '4:26: unknown key "publish" in "ports[0]" of service "db"; did you mean "published"?',
    ]);
  });

  it('reports a service without image or build at the service name', () => {
    expect(problems('services:\n  db:\n    command: [x]\n')).toStrictEqual([
      '2:3: service "db" has neither "image" nor "build"; set the image to run, or a build context to build it from',
    ]);
  });

  it('explains type errors of values that may take several forms', () => {
    expect(problems('services:\n  a:\n    image: x\n    ports: [true]\n    command: 5\n')).toStrictEqual([
      '4:13: "ports[0]" of service "a" must be an integer, a string or a mapping',
      '5:14: "command" of service "a" must be null, a string or a list',
    ]);
    expect(problems('services:\n  a:\n    image: x\n    environment: {A: [1]}\n')).toStrictEqual([
      '4:22: "environment.A" of service "a" must be a string, a number, a boolean or null',
    ]);
    expect(problems('services:\n  a:\n    image: x\n    ports: ["70000:80"]\n')).toStrictEqual([
      '4:13: invalid port "70000:80" in service "a": port numbers must be between 1 and 65535',
    ]);
  });

  it('rejects unsupported network drivers and bad durations', () => {
    expect(
      problems('services:\n  a:\n    image: x\n    stop_grace_period: soon\nnetworks:\n  n:\n    driver: overlay\n'),
    ).toStrictEqual([
      '4:24: invalid value "soon" for "stop_grace_period" of service "a": expected a duration such as 10s, 1m30s or 500ms',
      '7:13: invalid value "overlay" for "driver" of network "n": expected one of "bridge"',
    ]);
  });

  it('reports a network a service uses but the file does not declare', () => {
    expect(
      problems('services:\n  a:\n    image: x\n    networks: {frontend: {}, default: }\nnetworks:\n  front: {}\n'),
    ).toStrictEqual([
      '4:16: service "a" uses network "frontend", which is not declared in the top-level "networks"; did you mean "front"?',
    ]);
  });

  it('reports a dependency cycle with its full path, deterministically', () => {
    const text = [
      'services:',
      '  c:',
      '    image: x',
      '    depends_on: [a]',
      '  b:',
      '    image: x',
      '    depends_on: [c]',
      '  a:',
      '    image: x',
      '    depends_on: {b: {condition: service_started}}',
      '  d:',
      '    image: x',
      '    depends_on: [a]',
    ].join('\n');
    expect(problems(text)).toStrictEqual(['10:18: dependency cycle: a -> b -> c -> a']);
    expect(problems('services:\n  s:\n    image: x\n    depends_on: [s]\n')).toStrictEqual([
      '4:18: dependency cycle: s -> s',
    ]);
  });

  it('reports host ports published twice', () => {
    const text = [
      'services:',
      '  a:',
      '    image: x',
      '    ports: ["8080:80", "53:53/udp"]',
      '  b:',
      '    image: x',
      '    ports: ["127.0.0.1:8080:81", "53:53", "8081:80"]',
    ].join('\n');
    expect(problems(text)).toStrictEqual([
      '7:13: host port 127.0.0.1:8080/tcp of service "b" is already published by service "a"',
    ]);
  });

  it('reports commands that cannot be split into arguments', () => {
    expect(problems('services:\n  a:\n    image: x\n    command: echo "unclosed\n')).toStrictEqual([
      '4:14: cannot split "command" of service "a" into arguments: unterminated double quote',
    ]);
  });

  it('locates YAML syntax errors', () => {
    // An unclosed flow list is noticed where the next key starts.
    const diags = diagnostics('services:\n  web:\n    image: nginx\n    ports: [80\n  db:\n    image: pg\n');
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatchObject({ file: 'stack.yaml', line: 5, col: 3, sourceLine: '  db:' });
    expect(diags[0]!.message).toMatch(/^YAML syntax error: flow sequence/);
    expect(problems('services: {web: b: c}\n')[0]).toMatch(/^1:\d+: YAML syntax error: /);
    expect(problems('a: b: c\n')).toStrictEqual([
      '1:4: YAML syntax error: nested mappings are not allowed in compact mappings',
    ]);
    expect(problems('services:\n  a: {image: x}\n  a: {image: y}\n')).toStrictEqual([
      '3:3: YAML syntax error: map keys must be unique',
    ]);
    expect(problems('services:\n\tweb: x\n')[0]).toMatch(/^2:1: YAML syntax error: /);
  });

  it('reports problems in the right file when several are given', () => {
    try {
      loadStack({
        files: [
          { path: 'a.yaml', text: 'services:\n  web:\n    image: nginx\n' },
          { path: 'b.yaml', text: 'services:\n  web:\n    bogus: 1\n' },
        ],
        projectDir: '/p',
        env: {},
      });
      expect.unreachable();
    } catch (e) {
      const d = (e as StackFileError).diagnostics;
      expect(d.map((x) => `${x.file}:${x.line}:${x.col}: ${x.message}`)).toStrictEqual([
        'b.yaml:3:5: unknown key "bogus" in service "web"',
      ]);
    }
  });

  it('rejects an invalid project name at its place', () => {
    expect(problems('name: "!!!"\nservices: {}\n')).toStrictEqual([
      '1:7: invalid project name "!!!": it must contain only lowercase letters, decimal digits, dashes and underscores, and begin with a lowercase letter or decimal digit',
    ]);
  });

  it('rejects a folder name that normalises to nothing', () => {
    expect(() =>
      loadStack({ files: [{ path: 'stack.yaml', text: 'services: {}\n' }], projectDir: '/x/!!!', env: {} }),
    ).toThrow(
      'stack.yaml:1:1: the folder name "!!!" gives no project name (it has no letters or digits); set a top-level "name" or use -p',
    );
  });

  it('rejects a top level that is not a mapping, and an empty file', () => {
    expect(problems('- a\n- b\n')).toStrictEqual(['1:1: the top level must be a mapping']);
    expect(problems('')).toStrictEqual(['1:1: the top level must be a mapping']);
  });
});
