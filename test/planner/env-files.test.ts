import { describe, it, expect } from 'vitest';
import { loadTree, service, treeProblems } from './load-files.js';

describe('env_file', () => {
  it('reads files in order under environment, which wins; forms string, list and long', () => {
    const stack = loadTree(
      {
        'stack.yaml': [
          'services:',
          '  a:',
          '    image: x',
          '    env_file: a.env',
          '    environment: {B: from-environment}',
          '  b:',
          '    image: x',
          '    env_file: [a.env, conf/b.env]',
          '  c:',
          '    image: x',
          '    env_file:',
          '      - path: a.env',
          '      - path: missing.env',
          '        required: false',
          '      - path: raw.env',
          '        format: raw',
        ].join('\n'),
        'a.env': 'A=1\nB=from-file\nREF=${SHELL_VAR}-${B}\n',
        'conf/b.env': 'A=2\n',
        'raw.env': 'R="${A}" #x\n',
      },
      { env: { SHELL_VAR: 'sh' } },
    );
    expect(service(stack, 'a').environment).toStrictEqual({
      A: '1',
      B: 'from-environment',
      REF: 'sh-from-environment',
    });
    expect(service(stack, 'b').environment).toStrictEqual({ A: '2', B: 'from-file', REF: 'sh-from-file' });
    expect(service(stack, 'c').environment).toStrictEqual({
      A: '1',
      B: 'from-file',
      REF: 'sh-from-file',
      R: '"${A}" #x',
    });
  });

  it('an environment entry without a value unsets what a file set, unless the environment has it', () => {
    const stack = loadTree(
      {
        'stack.yaml': 'services:\n  a:\n    image: x\n    env_file: a.env\n    environment: [A, B]\n',
        'a.env': 'A=1\nB=2\n',
      },
      { env: { B: 'shell' } },
    );
    expect(service(stack, 'a').environment).toStrictEqual({ B: 'shell' });
  });

  it('reports a missing required file at its entry and a bad line in the file itself', () => {
    expect(
      treeProblems({
        'stack.yaml': 'services:\n  a:\n    image: x\n    env_file: [ok.env, nope.env]\n',
        'ok.env': 'A=1\n',
      }),
    ).toStrictEqual([
      'stack.yaml:4:24: env file nope.env of service "a" not found; create it, fix the path (relative to the project folder) or mark it "required: false"',
    ]);
    expect(
      treeProblems({
        'stack.yaml': 'services:\n  a:\n    image: x\n    env_file: bad.env\n',
        'bad.env': 'A=1\nB="open\n',
      }),
    ).toStrictEqual(['bad.env:2:3: unterminated quoted value for B: add the closing "']);
  });

  it('does not read the env files of services disabled by profiles', () => {
    expect(
      loadTree({
        'stack.yaml': 'services:\n  a:\n    image: x\n    profiles: [p]\n    env_file: nope.env\n  b:\n    image: y\n',
      }).services,
    ).toHaveLength(1);
  });
});
