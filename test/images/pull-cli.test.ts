// `stack pull`, as docker compose's: the images of the stack's services from a local
// registry into the store; SERVICE… and --include-deps choose, --policy missing skips what
// is stored, --ignore-buildable skips services with build:, pull_policy never is skipped.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStackEnv, stack, uniqueProject, writeStackFile, type StackEnv } from '../support/stack-cli.js';
import { buildBusybox } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';

let env: StackEnv;
let registry: Registry;
let file: string;
const ref = (name: string) => `${registry.host}/${name}:latest`;

beforeAll(async () => {
  env = makeStackEnv();
  registry = await startRegistry(path.join(env.root, 'registry'));
  buildBusybox(path.join(env.root, 'layout'), 'pulled by pull');
  for (const name of ['one', 'two', 'three', 'built'])
    await registry.push(path.join(env.root, 'layout'), `${name}:latest`);
  file = writeStackFile(
    env,
    uniqueProject('tpullcli'),
    `  a:
    image: ${ref('one')}
    depends_on: [b]
  b:
    image: ${ref('two')}
  c:
    image: ${ref('three')}
    pull_policy: never
  d:
    image: ${ref('built')}
    build: { context: . }
`,
  );
});

afterAll(async () => {
  await registry?.stop();
  env.dispose();
});

const stored = () => stack(env, ['image', 'ls']).stdout;
const pull = (...args: string[]) => stack(env, ['-f', file, 'pull', '-q', ...args]);

it('plan of images not stored yet shows the pulls up would make, and the containers', () => {
  const planned = path.join(env.root, 'plan.yaml');
  fs.writeFileSync(
    planned,
    `name: ${uniqueProject('tpullplan')}\nservices:\n  web:\n    image: ${ref('one')}\n    command: sleep 1\n`,
  );
  const r = stack(env, ['-f', planned, 'plan']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(`service web: image ${ref('one')} is not in the local store; \`up\` pulls it first`);
  expect(r.stdout).toMatch(/container\.start/);
  expect(stored()).not.toContain(ref('one')); // a plan pulls nothing
});

it('SERVICE… pulls only those; --include-deps their dependencies too', () => {
  expect(pull('a').code).toBe(0);
  expect(stored()).toContain(ref('one'));
  expect(stored()).not.toContain(ref('two'));
  expect(pull('--include-deps', 'a').code).toBe(0);
  expect(stored()).toContain(ref('two'));
});

it('all services: skips pull_policy never, and build: ones with --ignore-buildable', () => {
  expect(pull('--ignore-buildable').code).toBe(0);
  expect(stored()).not.toContain(ref('three'));
  expect(stored()).not.toContain(ref('built'));
  expect(pull().code).toBe(0);
  expect(stored()).toContain(ref('built'));
  expect(stored()).not.toContain(ref('three'));
});

it('--policy missing pulls nothing that is stored; without -q the progress shows', () => {
  const again = stack(env, ['-f', file, 'pull', '--policy', 'missing']);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stderr).not.toMatch(/pulling/);
  const always = stack(env, ['-f', file, 'pull', 'b']);
  expect(always.stderr).toMatch(/pulling/);
  expect(pull('--policy', 'sometimes').code).toBe(2);
  expect(pull('nosuch').code).toBe(2);
});
