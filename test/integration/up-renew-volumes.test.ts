// `up -V/--renew-anon-volumes`: a recreated container starts with empty anonymous volumes;
// without it, as docker compose, it finds its predecessor's data there.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors, waitFor } from '../support/processes.js';

let env: StackEnv;
let file: string;
let project: string;
const before = snapshotHostObjects();

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tuprenew');
  file = path.join(env.root, 'stack.yaml');
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

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0', '-v']);
  await killSupervisors(project);
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project])).toEqual({});
  env.dispose();
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
