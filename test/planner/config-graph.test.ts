import { describe, it, expect } from 'vitest';
import { renderConfig } from '../../cli/commands/config-action.js';
import { parseMode, parseSize, toBool } from '../../planner/load/coerce.js';
import { goDuration } from '../../planner/load/compose-view.js';
import { renderDot, renderMermaid } from '../../planner/plan/graph-render.js';
import { serviceConfigHash } from '../../model/hash.js';
import { load } from './helpers.js';

const STACK = [
  'services:',
  '  web:',
  '    image: nginx',
  '    depends_on:',
  '      db: {condition: service_healthy}',
  '      cache: {condition: service_started, required: false}',
  '    networks: [front, back]',
  '  db:',
  '    image: postgres',
  '    volumes: [data:/var/lib/postgresql/data]',
  '    networks: [back]',
  '  cache:',
  '    image: redis',
  '    networks: [back]',
  'networks: {front: {}, back: {}}',
  'volumes: {data: {}}',
].join('\n');

describe('stack graph', () => {
  it('draws services, networks and volumes, dependency edges labelled with their condition (DOT)', () => {
    expect(renderDot(load(STACK))).toBe(
      [
        'digraph "myapp" {',
        '  rankdir=LR;',
        '  s0 [label="cache", shape=box];',
        '  s1 [label="db", shape=box];',
        '  s2 [label="web", shape=box];',
        '  n0 [label="back", shape=ellipse];',
        '  n1 [label="front", shape=ellipse];',
        '  v0 [label="data", shape=cylinder];',
        '  s0 -> n0 [style=dotted, arrowhead=none];',
        '  s1 -> n0 [style=dotted, arrowhead=none];',
        '  s1 -> v0 [label="/var/lib/postgresql/data", style=dotted, arrowhead=none];',
        '  s2 -> s0 [label="service_started", style=dashed];',
        '  s2 -> s1 [label="service_healthy"];',
        '  s2 -> n0 [style=dotted, arrowhead=none];',
        '  s2 -> n1 [style=dotted, arrowhead=none];',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('draws the same graph as a Mermaid flowchart', () => {
    const text = renderMermaid(load(STACK));
    expect(text.split('\n').slice(0, 7)).toStrictEqual([
      'flowchart LR',
      '  s0["cache"]',
      '  s1["db"]',
      '  s2["web"]',
      '  n0(["back"])',
      '  n1(["front"])',
      '  v0[("data")]',
    ]);
    expect(text).toContain('  s2 -->|"service_healthy"| s1\n');
    expect(text).toContain('  s2 -.->|"service_started"| s0\n');
    expect(text).toContain('  s1 -.-|"/var/lib/postgresql/data"| v0\n');
  });
});

describe('stack config', () => {
  it('lists services and volumes, and prints service hashes like compose', () => {
    const stack = load(STACK);
    expect(renderConfig(stack, { format: 'yaml', services: true })).toBe('cache\ndb\nweb\n');
    expect(renderConfig(stack, { format: 'yaml', volumes: true })).toBe('data\n');
    const all = renderConfig(stack, { format: 'yaml', hash: '*' }).trim().split('\n');
    expect(all.map((l) => l.split(' ')[0])).toStrictEqual(['cache', 'db', 'web']);
    expect(all.every((l) => /^[a-z]+ [0-9a-f]{16}$/.test(l))).toBe(true);
    expect(renderConfig(stack, { format: 'yaml', hash: 'web,db' })).toBe(`${all[1]}\n${all[2]}\n`);
    expect(() => renderConfig(stack, { format: 'yaml', hash: 'nope' })).toThrow(/no such service: nope/);
  });

  it('prints JSON with the same content as the YAML', () => {
    const stack = load(STACK);
    const json = JSON.parse(renderConfig(stack, { format: 'json' }));
    expect(json.services.web.depends_on).toStrictEqual({
      cache: { condition: 'service_started', required: false },
      db: { condition: 'service_healthy', required: true },
    });
    expect(json.volumes).toStrictEqual({ data: { name: 'myapp_data' } });
  });
});

describe('serviceConfigHash', () => {
  const hashOf = (extra: string) => serviceConfigHash(load(`services:\n  a:\n    image: x\n${extra}`).services[0]!);
  it('ignores what does not change the container: dependencies, replicas, profiles, build, pull policy', () => {
    const base = hashOf('');
    expect(hashOf('    scale: 3\n')).toBe(base);
    const a = load('services:\n  a:\n    image: x\n').services[0]!;
    expect(serviceConfigHash({ ...a, profiles: ['debug'] })).toBe(base);
    expect(hashOf('    pull_policy: always\n')).toBe(base);
    expect(hashOf('    build: ./a\n')).toBe(base);
  });

  it('changes with what does', () => {
    const base = hashOf('');
    for (const extra of [
      '    environment: {A: "1"}\n',
      '    ports: ["80:80"]\n',
      '    mem_limit: 1g\n',
      '    cap_add: [NET_ADMIN]\n',
      '    command: [sh]\n',
    ]) {
      expect(hashOf(extra), extra).not.toBe(base);
    }
  });
});

describe('scalar coercions', () => {
  it.each([
    ['512m', 536870912],
    ['1g', 1073741824],
    ['1.5gb', 1610612736],
    ['64k', 65536],
    ['100', 100],
    [2048, 2048],
    ['-1', -1],
    ['10B', 10],
  ] as const)('size %s → %d bytes', (input, bytes) => expect(parseSize(input)).toBe(bytes));
  it.each(['lots', '1x', '', '1.5.5m'])('rejects size %s', (input) => expect(parseSize(input)).toBeUndefined());
  it('reads YAML 1.1 booleans as compose does', () => {
    expect(['yes', 'Y', 'on', 'TRUE', true].map(toBool)).toStrictEqual([true, true, true, true, true]);
    expect(['no', 'n', 'OFF', 'false', false].map(toBool)).toStrictEqual([false, false, false, false, false]);
    expect(toBool('maybe')).toBeUndefined();
  });
  it('reads file modes as compose does: numbers as numbers (YAML reads 0440 as octal), strings as octal text', () => {
    expect([
      parseMode('0440'),
      parseMode(0o440),
      parseMode(511),
      parseMode('755'),
      parseMode(288),
      parseMode(0o17777),
    ]).toStrictEqual([0o440, 0o440, 0o777, 0o755, 288, undefined]);
  });
  it.each([
    [0, '0s'],
    [500, '500ms'],
    [10_000, '10s'],
    [90_000, '1m30s'],
    [1_500, '1.5s'],
    [3_600_000, '1h0m0s'],
    [120_000, '2m0s'],
  ] as const)('Go duration of %d ms is %s', (msValue, text) => expect(goDuration(msValue)).toBe(text));
});
