// The loader behaves as compose-go where it used to differ (issue 18, "Loader differences
// from compose"): each case is a file compose accepts and stack refused, or the reverse.

import { describe, expect, it } from 'vitest';
import { load, problems } from './helpers.js';

const service = (body: string) => `services:\n  a:\n    image: x\n${body}`;

describe('a "$" that starts no variable', () => {
  it.each([
    [`sh -c 'echo $(hostname)'`, ['sh', '-c', 'echo $(hostname)']],
    ['echo 5$', ['echo', '5$']],
    ['echo $1', ['echo', '$1']],
    ['echo "a $ b"', ['echo', 'a $ b']],
    ['grep "^REGEX$"', ['grep', '^REGEX$']],
    ['echo $$HOME $', ['echo', '$HOME', '$']],
  ])('%s stays as written', (command, expected) => {
    expect(load(service(`    command: ${JSON.stringify(command)}\n`)).services[0]!.command).toStrictEqual(expected);
  });
});

describe('COMPOSE_PROJECT_NAME in interpolation', () => {
  const file = 'name: fromfile\nservices:\n  a:\n    image: x\n    container_name: ${COMPOSE_PROJECT_NAME}-app\n';
  it('is the -p name, else the file name, else the folder name', () => {
    expect(load(file, {}, 'given').services[0]!.containerName).toBe('given-app');
    expect(load(file).services[0]!.containerName).toBe('fromfile-app');
    expect(load(file.replace('name: fromfile\n', '')).services[0]!.containerName).toBe('myapp-app');
  });
  it('is worked out only when a value names it: the environment is looked up, never copied', () => {
    // Working out the name parses the stack files once more; copying the environment (a bare
    // `environment:` key, env_file) read every variable, which made every load pay for it.
    const reads: string[] = [];
    const env: Record<string, string | undefined> = { HOME: '/root' };
    Object.defineProperty(env, 'WATCHED', { enumerable: true, get: () => (reads.push('WATCHED'), 'w') });
    const stack = load(service('    environment: [HOME, OTHER=$HOME]\n'), env);
    expect(stack.services[0]!.environment).toStrictEqual({ HOME: '/root', OTHER: '/root' });
    expect(reads).toStrictEqual([]);
  });
  it('is the environment one when it is set there', () => {
    expect(load(file, { COMPOSE_PROJECT_NAME: 'env' }).services[0]!.containerName).toBe('env-app');
  });
});

describe('non-string keys', () => {
  it('a service named 7 and an environment key 42 are errors at the key', () => {
    expect(problems('services:\n  7:\n    image: x\n    environment: {42: x, OK: y}\n')).toStrictEqual([
      '2:3: the key 7 is not a string; keys must be strings: quote it ("7")',
      '4:19: the key 42 is not a string; keys must be strings: quote it ("42")',
    ]);
  });
  it('a quoted number is a string', () => {
    expect(load('services:\n  "7":\n    image: x\n').services[0]!.name).toBe('7');
  });
  it('is reported once however often an alias repeats it', () => {
    expect(
      problems(
        'x-env: &env {1: x}\nservices:\n  a: {image: x, environment: *env}\n  b: {image: x, environment: *env}\n',
      ),
    ).toStrictEqual(['1:14: the key 1 is not a string; keys must be strings: quote it ("1")']);
  });
});

describe('values compose refuses', () => {
  it('tmpfs size -1', () => {
    expect(problems(service('    volumes: [{type: tmpfs, target: /t, tmpfs: {size: -1}}]\n'))).toStrictEqual([
      '4:55: invalid value -1 for "volumes[0].tmpfs.size" of service "a": must be >= 0',
    ]);
  });
  it('a develop.watch rule without action', () => {
    expect(problems(service('    develop:\n      watch:\n        - path: ./src\n'))).toStrictEqual([
      '6:11: missing required key "action" in "develop.watch[0]" of service "a"',
    ]);
  });
  it('name beside external.name', () => {
    expect(
      problems(
        service('    networks: [n]\n') +
          'networks:\n  n:\n    name: one\n    external: {name: two}\nvolumes:\n  v:\n    name: one\n    external:\n      name: two\n',
      ),
    ).toStrictEqual([
      '8:16: network "n" has both "name" and "external.name"; keep only "name" (with "external: true")',
      '13:7: volume "v" has both "name" and "external.name"; keep only "name" (with "external: true")',
    ]);
  });
  it('external: true with driver or ipam on a network', () => {
    expect(
      problems(
        service('    networks: [n]\n') +
          'networks:\n  n:\n    external: true\n    driver: bridge\n    ipam: {config: [{subnet: 10.9.0.0/24}]}\n',
      ),
    ).toStrictEqual([
      '8:5: network "n" is external, used as it is and never made by stack, so its "driver" cannot apply; remove "driver" (compose rejects it too)',
      '9:5: network "n" is external, used as it is and never made by stack, so its "ipam" cannot apply; remove "ipam" (compose rejects it too)',
    ]);
  });
});

describe('values compose accepts', () => {
  it('image: "" beside build is no image', () => {
    const s = load('services:\n  a:\n    image: ""\n    build: .\n').services[0]!;
    expect(s.image).toBe('myapp-a');
  });
  it('image: "" alone is still an error', () => {
    expect(problems('services:\n  a:\n    image: ""\n')).toHaveLength(1);
  });
});

describe('diagnostics', () => {
  it('one bad value is reported once', () => {
    expect(problems(service('    cpus: "-1"\n'))).toStrictEqual([
      '4:11: invalid value "-1" for "cpus" of service "a": expected a number',
    ]);
  });
  it('an interpolation error in a multi-line string shows its line', () => {
    expect(
      problems(
        service(
          '    entrypoint:\n      - sh\n      - |\n        echo one\n        echo ${BROKEN\n        echo three\n',
        ),
      ),
    ).toStrictEqual(['8:14: unterminated "${" in "echo ${BROKEN"']);
  });
});
