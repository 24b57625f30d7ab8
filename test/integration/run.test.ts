// `stack run` end to end: one-off containers of a bare image and of a service of a running
// stack, attached to the command's stdio, with the container's exit code; `ps` shows the
// kept ones (OOMKilled included) and `down` removes them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
  writeStackFile,
} from '../support/stack-cli.js';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../support/stack-cli.js';
import { psJson } from '../support/ps-json.js';

let env: StackEnv;
let file: string;
let project: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('trun');
  file = writeStackFile(
    env,
    project,
    `  app:
    image: ${TEST_IMAGE}
    command: sleep 1000
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

const image = (args: string[]) => ['run', '--rm', '--image', TEST_IMAGE, '--network', 'none', '--', ...args];

describe('stack run', () => {
  it("runs a bare image attached: stdout, stderr, stdin and the exit code are the command's", () => {
    const r = stack(env, image(['sh', '-c', 'echo out; echo err >&2; hostname; exit 5']));
    expect(r.stdout).toBe('out\nbusybox\n');
    expect(r.stderr).toBe('err\n');
    expect(r.code).toBe(5);
    const cat = spawnSync(path.join(repoRoot, 'bin/stack'), [...image(['cat'])], {
      env: env.env,
      input: 'from stdin\n',
      encoding: 'utf8',
    });
    expect(cat.stdout).toBe('from stdin\n');
    expect(cat.status, cat.stderr).toBe(0);
    // --rm: nothing of it is left
    expect(stack(env, ['-p', '_run', 'ps', '-a', '--format', 'json']).stdout.trim()).toBe('');
  });

  it("runs a one-off of a service on the stack's network, with -e and a new command", () => {
    const r = stack(env, [
      '-f',
      file,
      'run',
      '--rm',
      '-e',
      'X=1',
      'app',
      'sh',
      '-c',
      'echo $X $FROM_FILE; grep -cw app /etc/hosts; ip -4 -o addr show eth0 | grep -c inet',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1 yes\n1\n1\n');
    expect(r.code).toBe(0);
    const names = psJson<{ Name: string }>(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout).map(
      (row) => row.Name,
    );
    expect(names).toEqual([`${project}-app-1`]);
  });

  // `run` starts its container the way `up` does (executor/launch-container.ts), not a copy
  // of it that drifts: `network_mode: none` still has a loopback that is up, and a one-off
  // on the stack's network reaches the stack's DNS at 127.0.0.11 as its resolv.conf says.
  it('brings lo up for --network none, as up does', () => {
    const r = stack(
      env,
      image(['sh', '-c', 'ip -o link show lo; ping -c 1 -W 1 127.0.0.1 >/dev/null && echo reached']),
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/<LOOPBACK,UP,LOWER_UP>/);
    expect(r.stdout).toMatch(/reached\n$/);
    expect(r.code).toBe(0);
  });

  it("answers the stack's names at 127.0.0.11 in a one-off of a service, as in the stack's own containers", () => {
    const r = stack(env, ['-f', file, 'run', '--rm', 'app', 'nslookup', 'app', '127.0.0.11']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/Name:\s+app/);
    expect(r.code).toBe(0);
  });

  it('keeps a container without --rm: ps shows it exited, OOMKilled when the memory limit struck; down removes it', () => {
    const oom = stack(env, [
      '-f',
      file,
      'run',
      '-m',
      '16m',
      'app',
      'dd',
      'if=/dev/zero',
      'of=/dev/null',
      'bs=64M',
      'count=1',
    ]);
    expect(oom.code).toBe(137);
    const ps = stack(env, ['-f', file, 'ps', '-a']);
    expect(ps.stdout).toMatch(new RegExp(`${project}-app-run-[0-9a-f]{6}\\s+app\\s+exited \\(137, OOMKilled\\)`));
    expect(
      psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout).find(
        (r: { oomKilled?: boolean }) => r.oomKilled,
      ),
    ).toBeTruthy();
    const down = stack(env, ['-f', file, 'down', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    expect(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout.trim()).toBe('');
  });

  it('says what is wrong: unknown service (2), unknown image (2), missing command (127)', () => {
    const service = stack(env, ['-f', file, 'run', '--rm', 'db']);
    expect(service.code).toBe(2);
    expect(service.stderr).toMatch(/no service db in .*; services: app/);
    const img = stack(env, ['run', '--rm', '--image', 'nope.local/none:1', '--', 'true']);
    expect(img.code).toBe(2);
    expect(img.stderr).toMatch(/image nope.local\/none:1 is not in the local store; get it with `stack image pull/);
    const missing = stack(env, image(['no-such-cmd']));
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/init failed at lookup: executable file not found in \$PATH: no-such-cmd/);
  });
});
