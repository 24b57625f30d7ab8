// A one-off whose start fails after its record was written (here an image volume whose
// subpath the image lacks, refused as the container is prepared), as docker compose's run:
// with --rm it is removed, as docker removes an AutoRemove container whose start failed;
// without it, it stays as `created` (docker's Created) until `rm` or `down`.

import { expect, it } from 'vitest';
import { stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';

const one = oneStackUnderTest('trunfail');
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);
const rows = () => psJson<{ Name: string; State: string }>(run('ps', '-a', '--format', 'json').stdout);

it('removes a --rm one-off whose start failed, and keeps one without --rm as created until rm', () => {
  writeStackFile(
    one.env,
    one.project,
    `  app:
    image: ${TEST_IMAGE}
    command: sleep 100
    volumes:
      - { type: image, source: ${TEST_IMAGE}, target: /img, image: { subpath: no/such } }
`,
  );
  const removed = run('run', '--rm', 'app', 'true');
  expect(removed.code).not.toBe(0);
  expect(removed.stderr).toContain('subpath "no/such"');
  expect(rows()).toEqual([]);

  const kept = run('run', 'app', 'true');
  expect(kept.code).not.toBe(0);
  const [row] = rows();
  expect(row?.State).toBe('created');
  const rm = run('rm', '-f', 'app');
  expect(rm.code, rm.stderr).toBe(0);
  expect(rows()).toEqual([]);
});
