// develop.watch as the loader reads it: paths against the project folder, targets
// absolute, exec as a hook; the rules the schema cannot say are refused at their line.

import { describe, expect, it } from 'vitest';
import { load, problems } from './helpers.js';

const service = (watch: string) => `services:\n  a:\n    image: x\n    develop:\n      watch:\n${watch}`;

describe('develop.watch', () => {
  it('reads every key of a rule', () => {
    const stack = load(
      service(
        '        - path: ./src\n          action: sync+exec\n          target: app/\n          ignore: node_modules/\n' +
          '          include: ["*.js"]\n          initial_sync: true\n' +
          '          exec: {command: echo synced, user: "1000", privileged: true, working_dir: /app, environment: [A=1]}\n',
      ),
    );
    const rule = stack.services[0]!.develop!.watch[0]!;
    expect(rule.path).toMatch(/^\/.*\/src$/);
    expect(rule).toMatchObject({
      action: 'sync+exec',
      target: '/app',
      ignore: ['node_modules/'],
      include: ['*.js'],
      initialSync: true,
      exec: {
        command: ['echo', 'synced'],
        user: '1000',
        privileged: true,
        workingDir: '/app',
        environment: { A: '1' },
      },
    });
  });

  it('a sync without a target is refused at its action', () => {
    expect(problems(service('        - path: ./src\n          action: sync\n'))).toStrictEqual([
      '7:19: service a: develop.watch action sync needs a target (where the files go)',
    ]);
  });

  it('sync+exec without exec.command is refused at its action', () => {
    expect(
      problems(service('        - path: ./src\n          action: sync+exec\n          target: /app\n')),
    ).toStrictEqual(['7:19: service a: develop.watch action sync+exec needs exec.command']);
  });

  it('rebuild and restart need no target', () => {
    const text = service(
      '        - path: ./a\n          action: rebuild\n        - path: ./b\n          action: restart\n',
    );
    expect(load(text).services[0]!.develop!.watch.map((r) => r.action)).toStrictEqual(['rebuild', 'restart']);
  });
});
