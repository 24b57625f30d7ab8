// `stack run` mounts the service's own volumes, as compose's run does (a one-off of a
// service with a bind mount sees its files and writes through to the host).

import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';

const one = oneStackUnderTest('trunmnt', ['-v']);
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);

beforeAll(() => {
  fs.mkdirSync(path.join(one.env.root, 'data'));
  fs.writeFileSync(path.join(one.env.root, 'data', 'greeting'), 'hello from the host\n');
  writeStackFile(
    one.env,
    one.project,
    `  tool:
    image: ${TEST_IMAGE}
    network_mode: none
    volumes: ["./data:/data"]
    command: ["true"]
`,
  );
});

it("a one-off has the service's own bind mount: reads its files and writes through to the host", () => {
  const r = run('run', '--rm', 'tool', 'sh', '-c', 'cat /data/greeting && echo written > /data/out');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe('hello from the host\n');
  expect(fs.readFileSync(path.join(one.env.root, 'data', 'out'), 'utf8')).toBe('written\n');
});

it('run -v adds a bind mount for the one-off; one at a target the service mounts replaces it', () => {
  const other = path.join(one.env.root, 'other');
  fs.mkdirSync(other);
  fs.writeFileSync(path.join(other, 'greeting'), 'hello from -v\n');
  const r = run(
    'run',
    '--rm',
    '-v',
    `${other}:/extra:ro`,
    '-v',
    `${other}:/data`,
    'tool',
    'sh',
    '-c',
    'cat /extra/greeting /data/greeting; touch /extra/x',
  );
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('hello from -v\nhello from -v\n');
  expect(r.stderr).toMatch(/Read-only file system/);
  expect(run('run', '--rm', '-v', 'relative', 'tool').code).toBe(2);
});
