import { describe, it, expect } from 'vitest';
import { loadTree, service, treeProblems } from './load-files.js';

describe('extends', () => {
  it('extends a service of the same file, the extending service winning (compose merge rules)', () => {
    const stack = loadTree({
      'stack.yaml': [
        'services:',
        '  base:',
        '    image: busybox',
        '    command: [sleep, "1"]',
        '    environment: {A: "1", B: "1"}',
        '    ports: ["80"]',
        '  web:',
        '    extends: base',
        '    command: [sleep, "2"]',
        '    environment: {B: "2"}',
        '    ports: ["8081:81"]',
      ].join('\n'),
    });
    expect(service(stack, 'web')).toMatchObject({
      image: 'busybox',
      command: ['sleep', '2'],
      environment: { A: '1', B: '2' },
      ports: [
        { hostPort: 0, containerPort: 80 },
        { hostPort: 8081, containerPort: 81 },
      ],
    });
    expect(service(stack, 'base').command).toStrictEqual(['sleep', '1']);
  });

  it('extends a service of another file, chained, with paths of that file made absolute', () => {
    const stack = loadTree({
      'stack.yaml': 'services:\n  web:\n    extends: {file: common/base.yaml, service: app}\n    hostname: web\n',
      'common/base.yaml':
        'services:\n  app:\n    extends: {service: root}\n    working_dir: /app\n    env_file: app.env\n  root:\n    image: alpine\n    environment: [ROOT=1]\n',
      'common/app.env': 'FROM_FILE=yes\n',
    });
    expect(service(stack, 'web')).toMatchObject({
      image: 'alpine',
      workingDir: '/app',
      hostname: 'web',
      environment: { ROOT: '1', FROM_FILE: 'yes' },
    });
    expect(stack.services.map((s) => s.name)).toStrictEqual(['web']);
  });

  it('!reset in the extending service drops what the base set', () => {
    const stack = loadTree({
      'stack.yaml':
        'services:\n  base:\n    image: x\n    ports: ["80:80"]\n  web:\n    extends: base\n    ports: !reset []\n',
    });
    expect(service(stack, 'web').ports).toStrictEqual([]);
    expect(service(stack, 'base').ports).toHaveLength(1);
  });

  it('reports cycles once, at the extends that closes them', () => {
    expect(
      treeProblems({ 'stack.yaml': 'services:\n  a:\n    image: x\n    extends: b\n  b:\n    extends: a\n' }),
    ).toStrictEqual([
      'stack.yaml:4:14: extends cycle: a -> b -> a; a service cannot extend itself, directly or through others',
    ]);
    expect(treeProblems({ 'stack.yaml': 'services:\n  a:\n    image: x\n    extends: {service: a}\n' })).toStrictEqual([
      'stack.yaml:4:24: extends cycle: a -> a; a service cannot extend itself, directly or through others',
    ]);
  });

  it('reports a missing service or file where extends names it', () => {
    expect(
      treeProblems({ 'stack.yaml': 'services:\n  web:\n    extends: bsae\n  base:\n    image: x\n' }),
    ).toStrictEqual([
      'stack.yaml:3:14: service "web" extends service "bsae", which is not defined; did you mean "base"?',
    ]);
    expect(
      treeProblems({ 'stack.yaml': 'services:\n  web:\n    extends: {file: nope.yaml, service: x}\n' }),
    ).toStrictEqual([
      'stack.yaml:3:21: cannot read nope.yaml, the file service "web" extends; check the path (it is relative to .)',
    ]);
    expect(
      treeProblems({
        'stack.yaml': 'services:\n  web:\n    extends: {file: b.yaml, service: x}\n',
        'b.yaml': 'services:\n  y: {image: i}\n',
      }),
    ).toStrictEqual(['stack.yaml:3:38: service "web" extends service "x", which is not defined in b.yaml']);
  });

  it('locates problems of the other file in that file', () => {
    expect(
      treeProblems({
        'stack.yaml': 'services:\n  web:\n    extends: {file: b.yaml, service: b}\n',
        'b.yaml': 'services:\n  b:\n    image: i\n    ports: ["1:2:3:4"]\n',
      }),
    ).toStrictEqual([
      'b.yaml:4:13: invalid value "1:2:3:4" for "ports[0]" of service "web": expected a port mapping [IP:][HOST[-END]:]CONTAINER[-END][/tcp|udp]',
    ]);
    expect(
      treeProblems({
        'stack.yaml': 'services:\n  web:\n    extends: {file: b.yaml, service: b}\n',
        'b.yaml': 'services:\n  b: [oops\n',
      })[0],
    ).toMatch(/^b\.yaml:\d+:\d+: YAML syntax error/);
  });
});
