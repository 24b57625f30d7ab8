// `stack run` chooses its container's address under the host-wide allocation lock, counting
// the claims of an apply in progress (its own stack's too) and writing its record before
// the lock goes (cli/commands/run-claim.ts): a one-off started while `up` waits on a
// healthcheck never takes the address `up` planned for the dependent it has not started
// yet, and one-offs started at the same moment never share an address.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  TEST_IMAGE,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { startStack, waitFor } from '../support/processes.js';
import { inside, ps } from '../support/stack-containers.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { bridgeName } from '../../model/names.js';

let env: StackEnv;
let file: string;
let project: string;
let before: ReturnType<typeof snapshotHostObjects>;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  before = snapshotHostObjects();
  project = uniqueProject('trunalloc');
  // `late` is planned (its address claimed) with the rest, but started only once `gate` is
  // healthy, which it becomes when the test says so.
  file = writeStackFile(
    env,
    project,
    `  gate:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    healthcheck:
      test: test -f /tmp/ready
      interval: 100ms
      retries: 600
  late:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    depends_on:
      gate: { condition: service_healthy }
`,
  );
});

afterAll(() => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  expect(
    objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root, bridgeName(project, 'default')]),
  ).toEqual({});
  env.dispose();
});

const runIp = (r: { code: number; stdout: string; stderr: string }) => {
  expect(r.code, r.stderr).toBe(0);
  return /inet (\d+\.\d+\.\d+\.\d+)\//.exec(r.stdout)?.[1];
};
const ipOf = (service: string) => ps(env, file).find((r) => r.service === service)!.addresses[0]!.ip;

it('a one-off started while up is mid-apply skips the address up claimed for a container it has not started yet', async () => {
  const up = startStack(env, ['-f', file, 'up', '-d']);
  const gate = await waitFor(
    () => ps(env, file).find((r) => r.service === 'gate' && r.state.startsWith('running')),
    20_000,
    'gate to run',
  );
  expect(
    ps(env, file).map((r) => r.service),
    'late must not have started yet',
  ).toEqual(['gate']);
  const oneOff = runIp(stack(env, ['-f', file, 'run', '--rm', 'gate', 'ip', '-4', '-o', 'addr', 'show', 'eth0']));
  expect(inside(gate.pid, ['touch', '/tmp/ready']).code).toBe(0);
  const done = await up.result;
  expect(done.code, done.stderr).toBe(0);
  expect(oneOff).toBeDefined();
  expect([ipOf('gate'), ipOf('late')]).not.toContain(oneOff);
});

it('one-offs started at the same moment each get an address of their own', async () => {
  // Each holds its address until all four run (a mark per one-off in a shared folder): on a
  // loaded machine the starts may spread over more than a fixed sleep, and an address freed
  // by a one-off that has exited may rightly be given again.
  const sync = fs.mkdtempSync(path.join(env.root, 'sync-'));
  const script =
    'ip -4 -o addr show eth0; mktemp /sync/run.XXXXXX >/dev/null; i=0; ' +
    'while [ "$(ls /sync | wc -l)" -lt 4 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done';
  const runs = Array.from(
    { length: 4 },
    () => startStack(env, ['-f', file, 'run', '--rm', '-v', `${sync}:/sync`, 'late', 'sh', '-c', script]).result,
  );
  const ips = (await Promise.all(runs)).map(runIp);
  expect(ips.every((ip) => ip !== undefined)).toBe(true);
  expect(new Set(ips).size, `addresses: ${ips.join(' ')}`).toBe(4);
  expect(ips).not.toContain(ipOf('gate'));
  expect(ips).not.toContain(ipOf('late'));
});
