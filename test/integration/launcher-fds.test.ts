// Privileged, issue 13 finding 5: the fds of the shell that runs `stack` stay with it. The
// attacks: `stack up -d 30<secret` gave the supervisor, and through it every container of
// the stack, fd 30; `stack exec` with the host's `/` open as fd 30 let the command read any
// host file through /proc/self/fd/30/…. Only 0, 1 and 2 pass, and the supervisor starts
// with those alone. The CLI runs as a user would run it (bin/stack), with the extra fd
// given the way a shell gives it.

import { spawnSync, type StdioOptions } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  repoRoot,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type Result,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';
import { supervisorPids } from '../support/processes.js';
import { lsFds, openFds } from '../support/open-fds.js';

const EXTRA_FD = 30;
let env: StackEnv;
let file: string;
let project: string;
let secretFile: string;
const secretText = `secret-${crypto.randomBytes(8).toString('hex')}`;

/** bin/stack with `fd` open as fd 30 of it, like `stack ARGS 30<…` in a shell. */
function stackWithFd(args: string[], fd: number): Result {
  const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...Array<'ignore'>(EXTRA_FD - 3).fill('ignore'), fd];
  const r = spawnSync(path.join(repoRoot, 'bin/stack'), ['-f', file, ...args], {
    cwd: env.root,
    env: env.env,
    encoding: 'utf8',
    timeout: 60_000,
    stdio,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function withOpen<T>(target: string, f: (fd: number) => T): T {
  const fd = fs.openSync(target, 'r');
  try {
    return f(fd);
  } finally {
    fs.closeSync(fd);
  }
}

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  secretFile = path.join(env.root, 'secret');
  fs.writeFileSync(secretFile, secretText, { mode: 0o600 });
  project = uniqueProject('tfds');
  // The container tries to read what the launching shell had open as fd 30.
  file = writeStackFile(
    env,
    project,
    `  app:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "cat /proc/self/fd/${EXTRA_FD}; echo tried; exec sleep 1000"]
    stop_grace_period: 0s
`,
  );
  const up = withOpen(secretFile, (fd) => stackWithFd(['up', '-d'], fd));
  expect(up.code, up.stderr).toBe(0);
});

afterAll(() => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  env.dispose();
});

describe('fds of the shell that runs stack', () => {
  it('`stack up -d 30<secret`: the supervisor starts without fd 30 and holds only close-on-exec fds beyond 0-2', () => {
    const [pid] = supervisorPids(project);
    expect(pid).toBeDefined();
    const fds = openFds(pid!);
    expect(fds.filter((f) => f.target === secretFile)).toEqual([]);
    expect(fds.filter((f) => f.fd > 2 && !f.cloexec)).toEqual([]);
  });

  it("the supervisor's stdin is /dev/null once it knows its project: never a file it opened itself, such as the stack's lock, which children given stdio 'inherit' would hold", () => {
    const [pid] = supervisorPids(project);
    expect(pid).toBeDefined();
    expect(openFds(pid!).find((f) => f.fd === 0)?.target).toBe('/dev/null');
  });

  it('`stack up -d 30<secret`: the container cannot read it at /proc/self/fd/30, and its PID 1 holds only 0, 1 and 2', () => {
    let logs = stack(env, ['-f', file, 'logs', 'app']);
    for (let i = 0; i < 100 && !logs.stdout.includes('tried'); i++) logs = stack(env, ['-f', file, 'logs', 'app']);
    expect(logs.stdout).toContain('tried');
    expect(logs.stdout).not.toContain(secretText);
    const init = stack(env, ['-f', file, 'exec', 'app', 'ls', '-l', '/proc/1/fd']);
    expect(init.code, init.stderr).toBe(0);
    expect([...lsFds(init.stdout).keys()]).toEqual([0, 1, 2]);
  });

  it("`stack exec` with the host's / as fd 30: the command holds only 0, 1 and 2 and cannot open host files through it", () => {
    // The secret stands for /etc/shadow: a host file reached by a path relative to the host's root.
    const relative = path.relative('/', secretFile);
    const read = withOpen('/', (fd) =>
      stackWithFd(['exec', 'app', 'cat', `/proc/self/fd/${EXTRA_FD}/${relative}`], fd),
    );
    expect(read.stdout).not.toContain(secretText);
    expect(read.code).not.toBe(0);
    const listed = withOpen('/', (fd) => stackWithFd(['exec', 'app', 'ls', '-l', '/proc/self/fd'], fd));
    // 3 is ls's own /proc/self/fd directory.
    expect([...lsFds(listed.stdout).keys()]).toEqual([0, 1, 2, 3]);
  });

  it('`stack run` with fd 30 open: the one-off container holds only 0, 1 and 2', () => {
    const r = withOpen(secretFile, (fd) => stackWithFd(['run', '--rm', 'app', 'ls', '-l', '/proc/self/fd'], fd));
    expect(r.code, r.stderr).toBe(0);
    expect([...lsFds(r.stdout).keys()]).toEqual([0, 1, 2, 3]);
  });

  it('the one-shot `stack run --rm --image` with fd 30 open: the container holds only 0, 1 and 2', () => {
    const r = withOpen(secretFile, (fd) =>
      stackWithFd(['run', '--rm', '--image', TEST_IMAGE, '--', 'ls', '-l', '/proc/self/fd'], fd),
    );
    expect(r.code, r.stderr).toBe(0);
    expect([...lsFds(r.stdout).keys()]).toEqual([0, 1, 2, 3]);
  });
});
