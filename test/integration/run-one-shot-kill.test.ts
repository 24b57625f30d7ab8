// A one-shot `stack run --rm --image …` writes few records (issue 16: no `exited` record and
// no stop mark before its removal). A kill -9 of that CLI while its container runs must
// still leave what `ps` shows and `down` removes: the record names the container, its pid
// and its groups; the container, in its own session, runs on.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { importTestImage, makeStackEnv, stack, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { startStack, waitFor } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

const PROJECT = '_run';
let env: StackEnv;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
});

afterAll(() => {
  stack(env, ['-p', PROJECT, 'down', '-t', '0']);
  env.dispose();
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const records = () => {
  const dir = path.join(env.env.STACK_ROOT!, 'stacks', PROJECT, 'state', 'containers');
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map(
          (f) =>
            JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as {
              status: string;
              pid?: number;
              spec: { name: string };
            },
        )
    : [];
};

/** The container's group folders in every cgroup hierarchy. */
const groups = (name: string) =>
  fs
    .readdirSync('/sys/fs/cgroup')
    .map((tree) => path.join('/sys/fs/cgroup', tree, 'stack', PROJECT, name))
    .concat(path.join('/sys/fs/cgroup/stack', PROJECT, name))
    .filter((dir) => fs.existsSync(dir));

it('a one-shot run killed with -9 leaves its container to ps and down', async () => {
  const cli = startStack(env, ['run', '--rm', '--image', TEST_IMAGE, '--network', 'none', '--', 'sleep', '1000']);
  const record = await waitFor(
    () => records().find((r) => r.status === 'running' && r.pid !== undefined),
    30_000,
    'the one-off running',
  );
  const name = record.spec.name;
  cli.child.kill('SIGKILL');
  // Not cli.result: the container holds the CLI's stdout and stderr (they were its own) open.
  await waitFor(() => !alive(cli.child.pid!), 10_000, 'the CLI gone');
  // Its own session: the container outlives the CLI that started it.
  expect(alive(record.pid!)).toBe(true);
  const ps = stack(env, ['-p', PROJECT, 'ps', '--format', 'json']);
  expect(ps.code, ps.stderr).toBe(0);
  expect(psJson<{ Name: string; State: string }>(ps.stdout).map((r) => [r.Name, r.State])).toEqual([
    [expect.stringContaining(name.split('-').pop()!), 'running'],
  ]);
  expect(groups(name).length).toBeGreaterThan(0);

  const down = stack(env, ['-p', PROJECT, 'down', '-t', '0']);
  expect(down.code, down.stderr).toBe(0);
  await waitFor(() => !alive(record.pid!), 10_000, 'the container gone');
  expect(records()).toEqual([]);
  expect(groups(name)).toEqual([]);
  expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', PROJECT, 'containers', name))).toBe(false);
});
