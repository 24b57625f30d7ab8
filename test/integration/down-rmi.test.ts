// `down --rmi local|all`, as compose: after the stack is down, `local` removes the images
// built for services without an `image:` name (`<project>-<service>`), never one the file
// names, even in that form; `all` every image the services use; an image another stack's
// container uses stays.

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { sleeperService, stack, TEST_IMAGE } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';

const one = oneStackUnderTest('tdownrmi');
let built: string;
/** Built too, but under a name the file gives it: a custom tag, which `local` keeps (found in review: it went by name). */
let named: string;

beforeAll(() => {
  const { env, file, project } = one;
  built = `docker.io/library/${project}-web:latest`;
  named = `docker.io/library/${project}-named:latest`;
  fs.mkdirSync(path.join(env.root, 'web'));
  fs.writeFileSync(path.join(env.root, 'web', 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo built > /built\n`);
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  web:
    build: ./web
    command: sleep 1000
    stop_grace_period: 0s
  named:
    build: ./web
    image: ${project}-named
    command: sleep 1000
    stop_grace_period: 0s
  other:
${sleeperService()}`,
  );
});

const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);
const stored = () =>
  run('image', 'ls')
    .stdout.split('\n')
    .map((l) => l.split(/\s+/)[0])
    .filter(Boolean);

it('--rmi local removes the built image only; --rmi all the others too', () => {
  const up = run('up', '-d');
  expect(up.code, up.stderr).toBe(0);
  const test = stored().find((ref) => ref.includes('stack.local/busybox'))!;
  expect(stored()).toEqual(expect.arrayContaining([built, named, test]));

  const local = run('down', '-t', '0', '--rmi', 'local');
  expect(local.code, local.stderr).toBe(0);
  expect(local.stderr).toContain(`Image ${built} Removed`);
  expect(stored()).not.toContain(built);
  expect(stored()).toContain(test);
  expect(stored()).toContain(named);

  expect(run('up', '-d').code).toBe(0); // builds web again
  const all = run('down', '-t', '0', '--rmi', 'all');
  expect(all.code, all.stderr).toBe(0);
  expect(stored()).toEqual([]);
});

it('refuses another value, exit 2, and takes nothing down', () => {
  expect(run('down', '--rmi', 'some').code).toBe(2);
});
