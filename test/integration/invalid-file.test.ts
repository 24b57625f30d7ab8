// A broken stack file: every problem reported at once with its position, exit 1, and
// nothing on the host changes (no state, no supervisor, no kernel object).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeStackEnv, stack, type StackEnv } from '../support/stack-cli.js';
import { newObjects, snapshotHostObjects } from '../support/host-objects.js';

let env: StackEnv;
beforeAll(() => {
  env = makeStackEnv();
});
afterAll(() => env.dispose());

it('reports an unknown key, a missing dependency and a bad port together and touches nothing', () => {
  const file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(
    file,
    `services:
  web:
    image: busybox
    comand: httpd
    ports:
      - "eighty:80"
  client:
    image: busybox
    depends_on: [webb]
`,
  );
  const before = snapshotHostObjects();
  const r = stack(env, ['-f', file, 'up', '-d']);
  expect(r.code).toBe(1);
  const located = r.stderr.split('\n').filter((l) => /^stack\.yaml:\d+:\d+: /.test(l));
  expect(located).toHaveLength(3);
  expect(located[0]).toMatch(/^stack\.yaml:4:5: .*comand/);
  expect(located[1]).toMatch(/^stack\.yaml:6:9: /);
  expect(located[2]).toMatch(/^stack\.yaml:9:18: .*webb/);
  expect(newObjects(before, snapshotHostObjects())).toEqual({});
  expect(fs.existsSync(env.env.STACK_ROOT!)).toBe(false);
});
