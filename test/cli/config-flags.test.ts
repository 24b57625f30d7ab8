// compose's flags of `config`: --networks, --images, --profiles (every profile the file
// defines, active or not) and -o FILE.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStackEnv, stack, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv;
let file: string;
beforeAll(() => {
  env = makeStackEnv();
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `name: cfgflags
services:
  web: { image: nginx, networks: [front, back] }
  db: { image: postgres:16, networks: [back] }
  debug: { image: busybox, profiles: [tools, debug] }
  seed: { image: busybox, profiles: [tools] }
networks: { front: {}, back: {} }
`,
  );
});
afterAll(() => env.dispose());

const config = (...args: string[]) => {
  const r = stack(env, ['-f', file, 'config', ...args]);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

it('--networks and --images list what the file uses (active services only)', () => {
  expect(config('--networks')).toBe('back\nfront\n');
  expect(config('--images')).toBe('postgres:16\nnginx\n');
});

it('--profiles lists every profile the file defines', () => {
  expect(config('--profiles')).toBe('debug\ntools\n');
});

it('-o FILE writes there instead of stdout', () => {
  const out = path.join(env.root, 'resolved.yaml');
  expect(config('-o', out)).toBe('');
  expect(fs.readFileSync(out, 'utf8')).toBe(config());
});
