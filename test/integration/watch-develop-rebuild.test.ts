// develop.watch on the real kernel, `rebuild`: an edit of the build context builds the
// image again (with the cache) and replaces the container as `up` does; a build that fails
// keeps the running container and shows the builder's error.

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { startStack, waitFor, type Running } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

const one = oneStackUnderTest('twreb');
let w: Running;
const app = (...p: string[]) => path.join(one.env.root, 'srcs', 'app', ...p);
const pidOf = () =>
  psJson<{ pid?: number }>(stack(one.env, ['-p', one.project, 'ps', '--format', 'json']).stdout)[0]!.pid!;
const count = (text: string) => w.stderr().split(text).length - 1;
const printed = (text: string, times = 1) =>
  waitFor(() => count(text) >= times, 120_000, `"${text}" x${times}`).catch((err: Error) => {
    throw new Error(`${err.message}\n${w.stderr()}`);
  });

beforeAll(async () => {
  fs.mkdirSync(app(), { recursive: true });
  fs.writeFileSync(app('msg'), 'one');
  fs.writeFileSync(app('Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY msg /msg\nCMD ["sleep", "100000"]\n`);
  writeStackFile(
    one.env,
    one.project,
    `  app:
    build: ./srcs/app
    develop:
      watch:
        - { path: ./srcs/app, action: rebuild }
`,
  );
  const up = stack(one.env, ['-f', one.file, 'up', '-d']);
  expect(up.code, up.stderr).toBe(0);
  w = startStack(one.env, ['-f', one.file, 'watch']);
  await printed('watching the sources of app');
}, 300_000);

afterAll(async () => {
  w?.child.kill('SIGINT');
  await w?.result;
});

describe('develop.watch: rebuild', () => {
  it('an edit rebuilds the image and replaces the container', async () => {
    const pid = pidOf();
    fs.writeFileSync(app('msg'), 'two');
    await printed('app: rebuilt');
    expect(w.stderr()).toMatch(/app: rebuilt in \d+\.\d s, replaced/);
    const now = pidOf();
    expect(now).not.toBe(pid);
    expect(fs.readFileSync(`/proc/${now}/root/msg`, 'utf8')).toBe('two');
  });

  it('a failing build keeps the running container and shows the error', async () => {
    const pid = pidOf();
    fs.writeFileSync(app('Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY missing /missing\nCMD ["sleep", "100000"]\n`);
    await printed('app: rebuild failed; the running container is kept');
    expect(w.stderr()).toContain('missing');
    expect(pidOf()).toBe(pid);
    expect(fs.readFileSync(`/proc/${pid}/root/msg`, 'utf8')).toBe('two');
  });
});
