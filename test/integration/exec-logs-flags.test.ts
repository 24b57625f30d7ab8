// compose's flags of exec and logs: `exec -it` is accepted (a terminal only when stdin is
// one), `logs --index N` shows replica N only, `--no-log-prefix` drops the service prefix.

import { beforeAll, expect, it } from 'vitest';
import { stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { waitFor } from '../support/processes.js';

const one = oneStackUnderTest('texeclogs');
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);

beforeAll(async () => {
  writeStackFile(
    one.env,
    one.project,
    `  echo:
    image: ${TEST_IMAGE}
    scale: 2
    command: ["sh", "-c", "echo I am $$(hostname); exec sleep 1000"]
    stop_grace_period: 0s
  other:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo other here; exec sleep 1000"]
    stop_grace_period: 0s
`,
  );
  const up = run('up', '-d');
  expect(up.code, up.stderr).toBe(0);
  await waitFor(() => (run('logs').stdout.match(/I am|other here/g) ?? []).length === 3, 20_000, 'the greetings');
}, 60_000);

it('exec -it runs the command (no terminal: stdin is none here)', () => {
  const r = run('exec', '-it', 'echo', 'echo', 'hi');
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toBe('hi\n');
});

it('logs --index N shows that replica only', () => {
  const hostnameOf = (n: number) => run('exec', '-T', '--index', String(n), 'echo', 'hostname').stdout.trim();
  const second = run('logs', '--index', '2', 'echo');
  expect(second.code, second.stderr).toBe(0);
  expect(second.stdout).toBe(`I am ${hostnameOf(2)}\n`);
  expect(run('logs', '--index', 'two').code).toBe(2);
});

it('logs --no-log-prefix prints the lines bare', () => {
  const prefixed = run('logs').stdout.split('\n').filter(Boolean);
  expect(prefixed.every((l) => /^\S+\s+\| /.test(l))).toBe(true);
  const bare = run('logs', '--no-log-prefix').stdout.split('\n').filter(Boolean).sort();
  expect(bare).toHaveLength(3);
  expect(bare.filter((l) => l.startsWith('I am '))).toHaveLength(2);
  expect(bare).toContain('other here');
});
