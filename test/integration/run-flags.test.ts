// compose's run flags: `run -d --name` without a prior `up` (run makes the networks and
// starts the dependencies itself, as compose), a service only in a profile runs when named,
// -l and --cap-add/--cap-drop lay over the service, -i/-t/-T are accepted.

import { beforeAll, expect, it } from 'vitest';
import { sleeperService, stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';

const one = oneStackUnderTest('trunflags');
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);

beforeAll(() => {
  writeStackFile(
    one.env,
    one.project,
    `  db:
${sleeperService()}  app:
${sleeperService('    depends_on: [db]\n')}  tool:
    image: ${TEST_IMAGE}
    profiles: [tools]
    command: echo from the tool
`,
  );
});

interface Row {
  Name: string;
  Service: string;
  State: string;
  Labels: string;
}
const rows = () => psJson<Row>(run('ps', '--format', 'json').stdout);

it('run -d --name starts the dependencies and networks itself, returns, and leaves the one-off running', () => {
  const name = `${one.project}-probe`;
  const r = run('run', '-d', '--name', name, '-l', 'team=qa', 'app', 'sleep', '1000');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe(`${name}\n`);
  const probe = rows().find((row) => row.Name === name);
  expect(probe).toMatchObject({ Service: 'app', State: 'running', Labels: expect.stringContaining('team=qa') });
  expect(rows().find((row) => row.Service === 'db')?.State).toBe('running');
  // The name is the container's: a second one of it is refused.
  expect(run('run', '-d', '--name', name, 'app').code).toBe(2);
});

it('runs a service that is only in a profile when it is named', () => {
  const r = run('run', '--rm', 'tool');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe('from the tool\n');
});

it('lays --cap-add and --cap-drop over the service; -i -t are accepted', () => {
  // CAP_NET_ADMIN is bit 12, CAP_CHOWN bit 0 of the effective set.
  const caps = run(
    'run',
    '--rm',
    '-it',
    '--no-deps',
    '--cap-add',
    'NET_ADMIN',
    '--cap-drop',
    'CHOWN',
    'app',
    'grep',
    'CapEff',
    '/proc/self/status',
  );
  expect(caps.code, caps.stderr).toBe(0);
  const eff = BigInt(`0x${caps.stdout.split(/\s+/)[1]}`);
  expect(eff & (1n << 12n)).toBe(1n << 12n);
  expect(eff & 1n).toBe(0n);
});
