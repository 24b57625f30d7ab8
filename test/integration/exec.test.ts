// `stack exec` end to end: a command in a running container of a stack brought up from a
// file, with the user's options, its exit code, and a terminal when stdin is one.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  repoRoot,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';

let env: StackEnv;
let file: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  file = writeStackFile(
    env,
    uniqueProject('texec'),
    `  app:
    image: ${TEST_IMAGE}
    command: sleep 1000
    hostname: apphost
    scale: 2
    environment: { FROM_FILE: yes }
    stop_grace_period: 0s
`,
  );
  const up = stack(env, ['-f', file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
});

afterAll(() => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  env.dispose();
});

describe('stack exec', () => {
  it('runs the command in the container and exits with its code', () => {
    const r = stack(env, [
      '-f',
      file,
      'exec',
      'app',
      'sh',
      '-c',
      'hostname; cat /proc/1/cmdline | tr "\\0" " "; echo; exit 3',
    ]);
    expect(r.stdout).toBe('apphost\nsleep 1000 \n');
    expect(r.code).toBe(3);
  });

  it('takes -e, -w and -u, and the container environment', () => {
    const r = stack(env, [
      '-f',
      file,
      'exec',
      '-e',
      'X=1',
      '-e',
      'HOME_TOO',
      '-w',
      '/tmp',
      '-u',
      'nobody',
      'app',
      'sh',
      '-c',
      'echo $X $FROM_FILE $HOME_TOO; pwd; id -u',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 yes\n/tmp\n65534\n');
    env.env.HOME_TOO = 'ours';
    expect(stack(env, ['-f', file, 'exec', '-e', 'HOME_TOO', 'app', 'sh', '-c', 'echo $HOME_TOO']).stdout).toBe(
      'ours\n',
    );
    delete env.env.HOME_TOO;
  });

  it('picks the replica with --index (default 1), and refuses one that does not exist', () => {
    expect(stack(env, ['-f', file, 'exec', 'app', 'touch', '/tmp/one']).code).toBe(0);
    expect(stack(env, ['-f', file, 'exec', '--index', '2', 'app', 'ls', '/tmp']).stdout).toBe('');
    expect(stack(env, ['-f', file, 'exec', '--index', '1', 'app', 'ls', '/tmp']).stdout).toBe('one\n');
    const third = stack(env, ['-f', file, 'exec', '--index', '3', 'app', 'true']);
    // The lookup cp, commit, export and attach share: a replica that does not exist is a usage error.
    expect(third.code).toBe(2);
    expect(third.stderr).toMatch(/service app has no replica 3 \(no container texec\w+-app-3\)/);
  });

  it('passes options after the command name to the command', () => {
    expect(stack(env, ['-f', file, 'exec', 'app', 'ls', '-d', '/tmp']).stdout).toBe('/tmp\n');
  });

  it('says what is wrong: unknown service (2), missing command (127), unknown user (126)', () => {
    const unknown = stack(env, ['-f', file, 'exec', 'db', 'true']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/service db has no container in stack texec\w+ \(services with containers: app\)/);
    const missing = stack(env, ['-f', file, 'exec', 'app', 'nope']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/executable file not found in \$PATH: nope/);
    const user = stack(env, ['-f', file, 'exec', '-u', 'ghost', 'app', 'true']);
    expect(user.code).toBe(126);
    expect(user.stderr).toMatch(/unable to find user ghost/);
  });

  it('gives the command a terminal of the container when stdin is one, and none with -T', () => {
    // `script` runs the CLI on a pty of its own, as a user's terminal would.
    const cli = `${path.join(repoRoot, 'bin/stack')} -f ${file}`;
    // Same filesystem as /dev/pts inside: the terminal is one of the container's devpts.
    const sameDevpts = `sh -c 'test "$(stat -L -c %d /proc/self/fd/0)" = "$(stat -c %d /dev/pts)" && echo container-pty; tty; exit 4'`;
    const tty = spawnSync('script', ['-qec', `${cli} exec app ${sameDevpts}`, '/dev/null'], {
      env: env.env,
      encoding: 'utf8',
      input: '',
    });
    // script turns the EOF of its empty input into a NUL, which the terminal echoes as ^@.
    expect(tty.stdout.replace(/\r|\^@/g, '')).toBe('container-pty\n/dev/pts/0\n');
    expect(tty.status).toBe(4);
    // -T: the command gets our own terminal (the script's pty), not a new one of the container.
    const noTty = spawnSync('script', ['-qec', `${cli} exec -T app ${sameDevpts}`, '/dev/null'], {
      env: env.env,
      encoding: 'utf8',
      input: '',
    });
    expect(noTty.stdout).not.toContain('container-pty');
    expect(noTty.status).toBe(4);
  });
});
