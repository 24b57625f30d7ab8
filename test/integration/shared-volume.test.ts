// Two services sharing a named volume that does not exist yet both make it at once, each
// writing its volume.json: with one temporary name per process the second rename found
// the first's temporary file gone (ENOENT), and 2 of 3 `up`s failed.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  makeStackEnv,
  importTestImage,
  sleeperService,
  stack,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { killSupervisors } from '../support/processes.js';

let env: StackEnv;
const project = uniqueProject('tshvol');
let file: string;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  file = path.join(env.root, 'stack.yaml');
  const user = (n: number) => `  user${n}:\n${sleeperService('    volumes: ["data:/data"]\n')}`;
  fs.writeFileSync(file, `name: ${project}\nservices:\n${[1, 2, 3, 4].map(user).join('')}volumes:\n  data: {}\n`);
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-v', '-t', '0']);
  await killSupervisors(project);
  env.dispose();
});

it('up of four services sharing a new volume succeeds every time', () => {
  for (let round = 0; round < 3; round++) {
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const down = stack(env, ['-f', file, 'down', '-v', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    expect(fs.readdirSync(path.join(env.env.STACK_ROOT!, 'volumes'))).toEqual([]);
  }
});
