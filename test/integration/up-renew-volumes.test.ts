// `up -V/--renew-anon-volumes`: a recreated container starts with empty anonymous volumes;
// without it, as docker compose, it finds its predecessor's data there.

import fs from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { stack, TEST_IMAGE, type StackEnv } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { waitFor } from '../support/processes.js';

let env: StackEnv;
let file: string;
let project: string;
const one = oneStackUnderTest('tuprenew', ['-v']);

beforeAll(() => {
  ({ env, file, project } = one);
  fs.writeFileSync(
    file,
    `name: ${project}
services:
  keeper:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "if [ -f /data/mark ]; then echo found old data; else echo fresh volume; fi; touch /data/mark; exec sleep 100000"]
    volumes: ["/data"]
`,
  );
});

async function upAndSee(args: string[]): Promise<string> {
  const r = stack(env, ['-f', file, 'up', '-d', '-t', '0', ...args]);
  expect(r.code, r.stderr).toBe(0);
  let seen = '';
  await waitFor(
    () => /found old data|fresh volume/.test((seen = stack(env, ['-f', file, 'logs', 'keeper']).stdout)),
    15_000,
    "keeper's first line",
  );
  return seen.trim();
}

it('a recreate keeps the anonymous volume; -V gives the new container an empty one', async () => {
  expect(await upAndSee([])).toBe('fresh volume');
  expect(await upAndSee(['--force-recreate'])).toBe('found old data');
  const renewed = stack(env, ['-f', file, 'plan', '--force-recreate', '-V']);
  expect(renewed.stdout + renewed.stderr).toMatch(/volume\.remove/);
  expect(await upAndSee(['--force-recreate', '-V'])).toBe('fresh volume');
});
