import { describe, it, expect } from 'vitest';
import { loadTree, treeProblems } from './load-files.js';

const text = [
  'services:',
  '  web:',
  '    image: nginx',
  '  debug:',
  '    image: busybox',
  '    profiles: [debug]',
  '  tools:',
  '    image: busybox',
  '    profiles: [tools, debug]',
  '',
].join('\n');
const names = (profiles: string[]) => loadTree({ 'stack.yaml': text }, { profiles }).services.map((s) => s.name);

describe('profiles', () => {
  it('enables services without profiles always, and the others when one of their profiles is active', () => {
    expect(names([])).toStrictEqual(['web']);
    expect(names(['debug'])).toStrictEqual(['debug', 'tools', 'web']);
    expect(names(['tools'])).toStrictEqual(['tools', 'web']);
    expect(names(['*'])).toStrictEqual(['debug', 'tools', 'web']);
  });

  it('rejects a dependency of an enabled service on a disabled one, unless it is not required', () => {
    const dep =
      'services:\n  web:\n    image: nginx\n    depends_on: [db]\n  db:\n    image: pg\n    profiles: [data]\n';
    expect(treeProblems({ 'stack.yaml': dep })).toStrictEqual([
      'stack.yaml:4:18: service "web" depends on service "db", which is disabled: it is only in profile "data"; enable it with --profile data (or COMPOSE_PROFILES), or mark the dependency "required: false"',
    ]);
    expect(loadTree({ 'stack.yaml': dep }, { profiles: ['data'] }).services).toHaveLength(2);
    const optional =
      'services:\n  web:\n    image: nginx\n    depends_on: {db: {condition: service_started, required: false}}\n  db:\n    image: pg\n    profiles: [data]\n';
    const stack = loadTree({ 'stack.yaml': optional });
    expect(stack.services.map((s) => s.name)).toStrictEqual(['web']);
    expect(stack.services[0]!.dependsOn).toStrictEqual([]);
  });
});
