// compose's flags of start and restart: `start --wait [--wait-timeout N]` returns once the
// started containers are healthy (exit 1 naming one that is not in time), and
// `restart --no-deps SVC` leaves the services that follow SVC (depends_on restart: true)
// running as they were.

import { beforeAll, describe, expect, it } from 'vitest';
import { stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { psJson } from '../support/ps-json.js';

const one = oneStackUnderTest('tlifeflags');

/** Healthy two seconds after each start: /tmp/ready is made then (the root is kept across a stop). */
const SLOW_HEALTH = `    image: ${TEST_IMAGE}
    command: ["sh", "-c", "rm -f /tmp/ready; sleep 2; touch /tmp/ready; exec sleep 1000"]
    stop_grace_period: 0s
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: 500ms, retries: 100 }
`;

beforeAll(() => {
  writeStackFile(
    one.env,
    one.project,
    `  db:
${SLOW_HEALTH}  app:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    depends_on: { db: { condition: service_started, restart: true } }
  never:
    image: ${TEST_IMAGE}
    command: sleep 1000
    stop_grace_period: 0s
    healthcheck: { test: ["CMD", "false"], interval: 500ms, retries: 1000 }
`,
  );
  const up = run('up', '-d');
  expect(up.code, up.stderr).toBe(0);
});

const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);
const rows = () =>
  psJson<{ Service: string; Health: string; State: string; pid: number }>(run('ps', '-a', '--format', 'json').stdout);
const row = (service: string) => rows().find((r) => r.Service === service)!;

describe('start --wait', () => {
  it('returns once the started containers are healthy', () => {
    expect(run('stop', 'db').code).toBe(0);
    const r = run('start', '--wait', 'db');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/is ready/);
    expect(row('db')).toMatchObject({ State: 'running', Health: 'healthy' });
  });

  it('exits 1 naming a container that is not healthy within --wait-timeout', () => {
    expect(run('stop', 'never').code).toBe(0);
    const r = run('start', '--wait', '--wait-timeout', '2', 'never');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${one.project}-never-1`);
    expect(run('start', '--wait-timeout', 'soon').code).toBe(2);
  });
});

describe('restart --no-deps', () => {
  it('restarts only the named service; without it, its followers too', () => {
    const app = row('app').pid;
    const db = row('db').pid;
    const alone = run('restart', '--no-deps', 'db');
    expect(alone.code, alone.stderr).toBe(0);
    expect(row('db').pid).not.toBe(db);
    expect(row('app').pid).toBe(app);

    expect(run('restart', 'db').code).toBe(0);
    expect(row('app').pid).not.toBe(app);
  });
});
