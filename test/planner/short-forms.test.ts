import { describe, it, expect } from 'vitest';
import { closest, editDistance } from '../../model/edit-distance.js';
import { parsePort, shellSplit, ShellSplitError } from '../../planner/load/short-forms.js';
import { parseDuration } from '../../model/duration.js';

describe('shellSplit', () => {
  it.each([
    ['echo hello world', ['echo', 'hello', 'world']],
    ['  spaced \t out  ', ['spaced', 'out']],
    [`sh -c 'echo "a  b"'`, ['sh', '-c', 'echo "a  b"']],
    [`say "it's \\"fine\\" \\$x \\n"`, ['say', `it's "fine" $x \\n`]],
    ['a\\ b c', ['a b', 'c']],
    [`'' ""`, ['', '']],
    [`x'y'"z"`, ['xyz']],
    ['', []],
  ])('%s', (line, argv) => {
    expect(shellSplit(line)).toStrictEqual(argv);
  });

  it.each([`echo 'open`, 'echo "open', 'trailing\\'])('rejects %s', (line) => {
    expect(() => shellSplit(line)).toThrow(ShellSplitError);
  });
});

describe('parseDuration', () => {
  it.each([
    ['10s', 10],
    ['1m30s', 90],
    ['500ms', 0.5],
    ['2', 2],
    ['1h', 3600],
    ['1.5s', 1.5],
    ['2m3s100ms', 123.1],
    [7, 7],
    ['0', 0],
  ] as const)('%s → %d s', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each(['soon', '10x', 's', '', '1m 30s'])('rejects %s', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
});

describe('parsePort', () => {
  it.each([
    ['8080:80', { hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    ['127.0.0.1:8080:80', { hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    ['127.0.0.1::80', { hostIp: '127.0.0.1', hostPort: 0, containerPort: 80, protocol: 'tcp' }],
    ['0.0.0.0:53:53/udp', { hostPort: 53, containerPort: 53, protocol: 'udp' }],
    ['[::1]:8080:80', { hostIp: '::1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
    ['8080:80/udp', { hostPort: 8080, containerPort: 80, protocol: 'udp' }],
    ['80', { hostPort: 0, containerPort: 80, protocol: 'tcp' }],
    [80, { hostPort: 0, containerPort: 80, protocol: 'tcp' }],
    [{ target: 80 }, { hostPort: 0, containerPort: 80, protocol: 'tcp' }],
    [
      { target: '80', published: 8000, host_ip: '10.0.0.1', protocol: 'udp' },
      { hostIp: '10.0.0.1', hostPort: 8000, containerPort: 80, protocol: 'udp' },
    ],
  ] as const)('%j', (input, expected) => {
    expect(parsePort(input)).toStrictEqual(expected);
  });

  it.each(['8o:80', 'abc', '80/sctp', '1:2:3:4', '70000', '8080:0', '', 0, true, null, { published: 80 }])(
    'rejects %j',
    (input) => {
      expect(parsePort(input)).toBeUndefined();
    },
  );
});

describe('did you mean', () => {
  it('counts a transposition as one edit', () => {
    expect(editDistance('imgae', 'image')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests only close candidates', () => {
    expect(closest('dbb', ['db', 'web'])).toBe('db');
    expect(closest('foo', ['image', 'ports'])).toBeUndefined();
    expect(closest('enviroment', ['environment', 'entrypoint'])).toBe('environment');
    expect(closest('x', ['y'])).toBeUndefined();
  });
});
