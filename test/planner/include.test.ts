import { describe, it, expect } from 'vitest';
import { loadTree, service, treeProblems } from './load-files.js';

describe('include', () => {
  it('copies the services, networks and volumes of an included stack (string form)', () => {
    const stack = loadTree({
      'stack.yaml': 'include:\n  - db/compose.yaml\nservices:\n  web:\n    image: nginx\n    depends_on: [db]\n',
      'db/compose.yaml':
        'services:\n  db:\n    image: postgres\n    networks: [back]\n    env_file: db.env\nnetworks:\n  back: {}\nvolumes:\n  data: {}\n',
      'db/db.env': 'PGDATA=/data\n',
    });
    expect(stack.services.map((s) => s.name)).toStrictEqual(['db', 'web']);
    expect(service(stack, 'db').environment).toStrictEqual({ PGDATA: '/data' });
    expect(stack.networks.map((n) => n.key)).toStrictEqual(['back', 'default']);
    expect(stack.volumes.map((v) => v.key)).toStrictEqual(['data']);
  });

  it('interpolates an included stack with its own .env, under the including environment', () => {
    const stack = loadTree(
      {
        'stack.yaml': 'include:\n  - path: [sub/a.yaml, sub/b.yaml]\n    env_file: sub/custom.env\n',
        'sub/a.yaml': 'services:\n  a:\n    image: ${IMG}:${TAG}\n',
        'sub/b.yaml': 'services:\n  a:\n    hostname: ${HOST}\n',
        'sub/custom.env': 'IMG=from-file\nTAG=file\nHOST=h\n',
      },
      { env: { TAG: 'shell' } },
    );
    expect(service(stack, 'a')).toMatchObject({ image: 'from-file:shell', hostname: 'h' });
    const withDefault = loadTree({
      'stack.yaml': 'include:\n  - path: x/compose.yaml\n    project_directory: x\n',
      'x/compose.yaml': 'services:\n  s:\n    image: ${IMG}\n',
      'x/.env': 'IMG=dotenv\n',
    });
    expect(service(withDefault, 's').image).toBe('dotenv');
  });

  it('rejects a service defined both in the included stack and here, unless identical', () => {
    const inc = 'services:\n  web:\n    image: other\n';
    expect(
      treeProblems({ 'stack.yaml': 'include: [inc.yaml]\nservices:\n  web:\n    image: nginx\n', 'inc.yaml': inc }),
    ).toStrictEqual([
      'stack.yaml:3:3: service "web" is also defined by the included file inc.yaml; rename one of them (an included stack\'s resources cannot be redefined)',
    ]);
    expect(
      loadTree({ 'stack.yaml': 'include: [inc.yaml]\nservices:\n  web:\n    image: other\n', 'inc.yaml': inc })
        .services,
    ).toHaveLength(1);
  });

  it('reports include cycles, missing files and bad entries where the include is written', () => {
    expect(
      treeProblems({
        'stack.yaml': 'include: [a.yaml]\nservices: {}\n',
        'a.yaml': 'include: [stack.yaml]\nservices: {}\n',
      }),
    ).toStrictEqual(['a.yaml:1:11: include cycle: stack.yaml includes a.yaml includes stack.yaml']);
    expect(treeProblems({ 'stack.yaml': 'include:\n  - missing.yaml\nservices: {}\n' })).toStrictEqual([
      'stack.yaml:2:5: cannot read missing.yaml, named by this include; check the path (it is relative to .)',
    ]);
    expect(treeProblems({ 'stack.yaml': 'include:\n  - {paht: x.yaml}\nservices: {}\n' })).toStrictEqual([
      'stack.yaml:2:5: "include[0]" needs "path": a file name or a list of them',
    ]);
    expect(
      treeProblems({
        'stack.yaml': 'include:\n  - path: x.yaml\n    env_file: none.env\nservices: {}\n',
        'x.yaml': 'services: {}\n',
      }),
    ).toStrictEqual(['stack.yaml:2:5: cannot read env file none.env named by this include']);
  });

  it('locates problems of an included file in that file', () => {
    expect(
      treeProblems({
        'stack.yaml': 'include: [inc/c.yaml]\n',
        'inc/c.yaml': 'services:\n  s:\n    image: x\n    depends_on: [nope]\n',
      }),
    ).toStrictEqual(['inc/c.yaml:4:18: service "s" depends on unknown service "nope"']);
  });
});
