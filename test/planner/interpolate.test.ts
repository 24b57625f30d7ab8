import { describe, it, expect } from 'vitest';
import { interpolateString, InterpolationError } from '../../planner/load/interpolate.js';
import { load, problems } from './helpers.js';

const env = { NAME: 'web', EMPTY: '', PORT: '8080' };

describe('interpolateString', () => {
  it.each([
    ['$NAME', 'web'],
    ['${NAME}', 'web'],
    ['pre-${NAME}-post', 'pre-web-post'],
    ['$NAME.x', 'web.x'],
    ['${MISSING}', ''],
    ['$MISSING', ''],
    ['${MISSING:-dflt}', 'dflt'],
    ['${EMPTY:-dflt}', 'dflt'],
    ['${EMPTY-dflt}', ''],
    ['${MISSING-dflt}', 'dflt'],
    ['${NAME:-dflt}', 'web'],
    ['${NAME:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${MISSING:-${NAME}-x}', 'web-x'],
    ['${MISSING:-a b}', 'a b'],
    ['${NAME:?need it}', 'web'],
    ['${EMPTY?need it}', ''],
    ['$$NAME', '$NAME'],
    ['$${NAME}', '${NAME}'],
    ['cost: 5$$', 'cost: 5$'],
    // compose-go leaves a "$" that starts no variable as written.
    ['cost $5', 'cost $5'],
    ['5$', '5$'],
    ['$(hostname)', '$(hostname)'],
    ['no dollars', 'no dollars'],
  ])('%s → %s', (input, expected) => {
    expect(interpolateString(input, env)).toBe(expected);
  });

  it.each([
    ['${MISSING:?set MISSING}', 'required variable MISSING is missing a value: set MISSING', 0],
    ['x ${EMPTY:?}', 'required variable EMPTY is missing a value', 2],
    ['${MISSING?oops}', 'required variable MISSING is missing a value: oops', 0],
    ['a ${NAME', 'unterminated "${" in "a ${NAME"', 2],
    ['${}', 'invalid interpolation format "${}": expected a variable name', 0],
    ['${NAME!x}', 'invalid interpolation format "${NAME!x}"', 0],
    ['${A:-${MISSING:?inner}}', 'required variable MISSING is missing a value: inner', 5],
  ])('%s is an error', (input, message, index) => {
    let err: unknown;
    try {
      interpolateString(input, env);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InterpolationError);
    expect((err as InterpolationError).message).toBe(message);
    expect((err as InterpolationError).index).toBe(index);
  });
});

describe('interpolation in stack files', () => {
  it('applies to values, never to keys', () => {
    const stack = load(
      'services:\n  svc:\n    image: "busybox:${TAG:-1.36}"\n    environment:\n      $KEY: $NAME\n    ports: ["${PORT}:80"]\n',
      env,
    );
    const s = stack.services[0]!;
    expect(s.name).toBe('svc');
    expect(s.image).toBe('busybox:1.36');
    expect(s.environment).toStrictEqual({ $KEY: 'web' });
    expect(s.ports).toStrictEqual([{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  });

  it('keeps $$ as a literal dollar in commands', () => {
    const s = load('services:\n  a:\n    image: x\n    command: sh -c "echo $$HOME"\n', env).services[0]!;
    expect(s.command).toStrictEqual(['sh', '-c', 'echo $HOME']);
  });

  it('interpolates inside anchors once, for every alias', () => {
    const text = 'x-img: &img "repo/${NAME}:1"\nservices:\n  a: {image: *img}\n  b: {image: *img}\n';
    expect(load(text, env).services.map((s) => s.image)).toStrictEqual(['repo/web:1', 'repo/web:1']);
  });

  it('locates errors at the expression, in plain, quoted and block scalars', () => {
    expect(problems('services:\n  a:\n    image: x-${TAG:?set TAG}\n')).toStrictEqual([
      '3:14: required variable TAG is missing a value: set TAG',
    ]);
    expect(problems('services:\n  a:\n    image: "x" \n    hostname: "h-${1}"\n')).toStrictEqual([
      '4:18: invalid interpolation format "${1}": expected a variable name',
    ]);
    expect(
      problems('services:\n  a:\n    image: x\n    command: |\n      echo ok\n      echo ${NOPE:?}\n'),
    ).toStrictEqual(['6:12: required variable NOPE is missing a value']);
  });

  it('does not report the same value again in later stages', () => {
    expect(problems('services:\n  a:\n    image: x\n    ports: ["${P:?need a port}:80"]\n')).toStrictEqual([
      '4:14: required variable P is missing a value: need a port',
    ]);
  });

  it('takes environment entries without a value from the environment, or drops them', () => {
    const s = load('services:\n  a:\n    image: x\n    environment: [NAME, NOT_SET, EMPTY]\n', env).services[0]!;
    expect(s.environment).toStrictEqual({ NAME: 'web', EMPTY: '' });
  });
});

describe('unset variables', () => {
  it('warn once per variable, located at the first value that uses it, and become empty', async () => {
    const { loadTree, service } = await import('./load-files.js');
    const stack = loadTree({
      'stack.yaml':
        'services:\n  a:\n    image: "x:${TAG}"\n    hostname: $HOST-${TAG}\n    working_dir: ${DIR:-/srv}\n',
    });
    expect(service(stack, 'a')).toMatchObject({ image: 'x:', hostname: '-', workingDir: '/srv' });
    expect(stack.warnings.map((w) => `${w.file}:${w.line}:${w.col}: ${w.message}`)).toStrictEqual([
      'stack.yaml:3:12: the "TAG" variable is not set; defaulting to a blank string',
      'stack.yaml:4:15: the "HOST" variable is not set; defaulting to a blank string',
    ]);
  });
});
