import { describe, it, expect } from 'vitest';
import { mergeDocuments } from '../../planner/load/merge-files.js';
import { loadTree, service, treeProblems } from './load-files.js';

type Obj = Record<string, unknown>;
const merged = (...docs: Obj[]) => docs.reduce((acc, d) => mergeDocuments(acc, structuredClone(d)), {});
const web = (doc: Obj) => (doc.services as Obj).web as Obj;

describe('merging files (compose-go override rules)', () => {
  it('replaces scalars, command and entrypoint; merges mappings', () => {
    const doc = merged(
      {
        services: {
          web: {
            image: 'a',
            command: ['x', 'y'],
            entrypoint: 'sh',
            healthcheck: { test: ['CMD', 'a'], interval: '5s' },
          },
        },
      },
      { services: { web: { image: 'b', command: ['z'], healthcheck: { test: ['CMD', 'b'] } } } },
    );
    expect(web(doc)).toStrictEqual({
      image: 'b',
      command: ['z'],
      entrypoint: 'sh',
      healthcheck: { test: ['CMD', 'b'], interval: '5s' },
    });
  });

  it('merges environment and labels by name whatever their form (map or list), the later file winning', () => {
    const doc = merged(
      { services: { web: { environment: { A: '1', B: '1', KEEP: 'k' }, labels: ['x=1'] } } },
      { services: { web: { environment: ['B=2', 'C=3'], labels: { x: '2', y: '1' } } } },
    );
    expect(web(doc).environment).toStrictEqual(['A=1', 'B=2', 'KEEP=k', 'C=3']);
    expect(web(doc).labels).toStrictEqual(['x=2', 'y=1']);
  });

  it('appends ports and volumes, one per published port and one per target', () => {
    const doc = merged(
      { services: { web: { ports: ['8080:80', '443:443'], volumes: ['./a:/data', 'logs:/logs'] } } },
      {
        services: {
          web: {
            ports: ['8080:80', { target: 443, published: '443' }, '9000:9000'],
            volumes: [{ type: 'bind', source: './b', target: '/data' }],
          },
        },
      },
    );
    expect(web(doc).ports).toStrictEqual(['8080:80', { target: 443, published: '443' }, '9000:9000']);
    expect(web(doc).volumes).toStrictEqual([{ type: 'bind', source: './b', target: '/data' }, 'logs:/logs']);
  });

  it('merges depends_on and networks whatever their form', () => {
    const doc = merged(
      { services: { web: { depends_on: ['db'], networks: ['front'] } } },
      {
        services: {
          web: { depends_on: { cache: { condition: 'service_healthy' } }, networks: { back: { aliases: ['w'] } } },
        },
      },
    );
    expect(web(doc).depends_on).toStrictEqual({
      db: { condition: 'service_started', required: true },
      cache: { condition: 'service_healthy' },
    });
    expect(web(doc).networks).toStrictEqual({ front: null, back: { aliases: ['w'] } });
  });

  it('appends other lists (dns) without duplicates, and adds new services and networks', () => {
    const doc = merged(
      { services: { web: { dns: ['1.1.1.1'] } } },
      { services: { web: { dns: ['1.1.1.1', '8.8.8.8'] }, db: { image: 'pg' } }, networks: { n: {} } },
    );
    expect(web(doc).dns).toStrictEqual(['1.1.1.1', '8.8.8.8']);
    expect(Object.keys(doc.services as Obj)).toStrictEqual(['web', 'db']);
    expect(doc.networks).toStrictEqual({ n: {} });
  });
});

describe('loading several files', () => {
  const base =
    'services:\n  web:\n    image: nginx\n    command: [a]\n    environment: {A: "1", B: "1"}\n    ports: ["80:80"]\n';

  it('applies the later file over the first', () => {
    const stack = loadTree(
      { 'stack.yaml': base, 'stack.override.yaml': 'services:\n  web:\n    command: [b, c]\n    environment: [B=2]\n' },
      { main: ['stack.yaml', 'stack.override.yaml'] },
    );
    expect(service(stack, 'web')).toMatchObject({
      command: ['b', 'c'],
      environment: { A: '1', B: '2' },
      ports: [{ hostPort: 80, containerPort: 80 }],
    });
  });

  it('!reset removes what the earlier files set; !override replaces it', () => {
    const stack = loadTree(
      {
        'stack.yaml': base,
        'o.yaml': 'services:\n  web:\n    ports: !reset []\n    environment: !override {C: "3"}\n',
      },
      { main: ['stack.yaml', 'o.yaml'] },
    );
    expect(service(stack, 'web')).toMatchObject({ ports: [], environment: { C: '3' }, command: ['a'] });
  });

  it('locates a problem in the file that wrote the value', () => {
    expect(
      treeProblems(
        { 'stack.yaml': base, 'o.yaml': 'services:\n  web:\n    ports: ["99999:80"]\n    stop_signal: SIGNOPE\n' },
        { main: ['stack.yaml', 'o.yaml'] },
      ),
    ).toStrictEqual([
      'o.yaml:3:13: invalid port "99999:80" in service "web": port numbers must be between 1 and 65535',
      'o.yaml:4:18: unknown stop_signal "SIGNOPE" of service "web"; use a signal name such as SIGTERM, SIGINT, SIGQUIT or SIGKILL, or a number from 1 to 64; did you mean "SIGFPE"?',
    ]);
    expect(
      treeProblems(
        { 'stack.yaml': base, 'o.yaml': 'services:\n  web:\n    imgae: x\n' },
        { main: ['stack.yaml', 'o.yaml'] },
      ),
    ).toStrictEqual(['o.yaml:3:5: unknown key "imgae" in service "web"; did you mean "image"?']);
  });

  it('accepts an empty override file', () => {
    expect(loadTree({ 'stack.yaml': base, 'o.yaml': '' }, { main: ['stack.yaml', 'o.yaml'] }).services).toHaveLength(1);
  });
});
