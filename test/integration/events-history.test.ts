// `stack events --since/--until`: the supervisor keeps the stack's recent lifecycle events
// (store/event-history.ts), so what happened before `events` ran can be shown; an --until
// in the past prints them and ends; `--json` is compose's spelling of --format json.

import fs from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { sleeperService, stack, TEST_IMAGE } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';
import { waitFor } from '../support/processes.js';

const one = oneStackUnderTest('tevhist');
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);

beforeAll(async () => {
  fs.writeFileSync(
    one.file,
    `name: ${one.project}
services:
  job:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "exit 3"]
  steady:
${sleeperService()}`,
  );
  expect(run('up', '-d').code).toBe(0);
  await waitFor(
    () => psJson<{ Service: string }>(run('ps', '--status', 'exited', '--format', 'json').stdout).length === 1,
    20_000,
    'job to exit',
  );
}, 60_000);

interface Event {
  type: string;
  service: string;
  exitCode?: number;
  time: string;
}

it('--since … --until 0s prints the kept events, in order, and ends', () => {
  const r = run('events', '--json', '--since', '1h', '--until', '0s');
  expect(r.code, r.stderr).toBe(0);
  const events = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event);
  const job = events.filter((e) => e.service === 'job').map((e) => [e.type, e.exitCode]);
  expect(job).toEqual(
    expect.arrayContaining([
      ['start', undefined],
      ['die', 3],
    ]),
  );
  expect(events.map((e) => e.time)).toEqual(events.map((e) => e.time).sort());
  expect(events.some((e) => e.service === 'steady' && e.type === 'start')).toBe(true);
});

it('a window that holds nothing prints nothing; text lines otherwise', () => {
  expect(run('events', '--since', '2000-01-01T00:00:00Z', '--until', '2000-01-02T00:00:00Z').stdout).toBe('');
  expect(run('events', '--since', '1h', '--until', '0s').stdout).toMatch(
    /container die \S+-job-1 service=job exitCode=3/,
  );
  expect(run('events', '--since', 'yesterday-ish', '--until', '0s').code).toBe(2);
});

it('with --since and a future --until: the kept events, then the live ones until then', () => {
  const until = new Date(Date.now() + 2000).toISOString();
  const r = run('events', '--json', '--since', '1h', '--until', until);
  expect(r.code, r.stderr).toBe(0);
  const types = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as Event).type);
  expect(types.filter((t) => t === 'die')).toHaveLength(1); // kept once, not again from the live stream
});
