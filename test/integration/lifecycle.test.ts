// What runs over time, on the real kernel: healthchecks gating dependents, restart policies
// with backoff, stop/start/restart leaving other services alone, the events stream and
// `up --wait`.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors, startStack, waitFor, type Running } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

let env: StackEnv;
const before = snapshotHostObjects();
const projects: string[] = [];

interface Row {
  service: string;
  state: string;
  pid?: number;
  health?: string;
  restarts: number;
  exitCode?: number;
  stopped?: boolean;
}
interface Event {
  type: string;
  service: string;
  health?: string;
  exitCode?: number;
  restartCount?: number;
}

function stackFile(project: string, services: string): string[] {
  const file = path.join(env.root, `${project}.yaml`);
  fs.writeFileSync(file, `name: ${project}\nservices:\n${services}`);
  projects.push(project);
  return ['-f', file];
}

const ps = (f: string[]): Row[] => psJson(stack(env, [...f, 'ps', '-a', '--format', 'json']).stdout) as Row[];
const row = (f: string[], service: string) => ps(f).find((r) => r.service === service)!;

function follow(f: string[]): { run: Running; events: () => Event[] } {
  const run = startStack(env, [...f, 'events', '--format', 'json']);
  let out = '';
  run.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  return {
    run,
    events: () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Event),
  };
}

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
});

afterAll(async () => {
  for (const p of projects) {
    stack(env, ['-p', p, 'down', '-t', '0']);
    await killSupervisors(p);
  }
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [env.root, ...projects])).toEqual({});
  env.dispose();
});

describe('healthchecks and depends_on', () => {
  const project = uniqueProject('thealth');
  let f: string[];

  it('starts a dependent only after its dependency turned healthy; ps shows the health', async () => {
    f = stackFile(
      project,
      `  db:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec sleep 1000"]
    stop_signal: SIGKILL
    healthcheck:
      test: test -f /tmp/ready
      interval: 200ms
      timeout: 1s
      retries: 20
  api:
    image: ${TEST_IMAGE}
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    depends_on:
      db: { condition: service_healthy }
`,
    );
    const up = stack(env, [...f, 'up', '-d']);
    expect(up.stderr).not.toMatch(/✖/);
    expect(up.code).toBe(0);
    expect(row(f, 'db')).toMatchObject({ state: 'running', health: 'healthy' });
    expect(row(f, 'api').state).toBe('running');
    // The record's times: api's process started after db's healthy probe ended.
    const records = path.join(env.env.STACK_ROOT!, 'stacks', project, 'state', 'containers');
    const db = JSON.parse(fs.readFileSync(path.join(records, `${project}-db-1.json`), 'utf8')) as {
      health: { log: { end: string; exitCode: number }[] };
    };
    const api = JSON.parse(fs.readFileSync(path.join(records, `${project}-api-1.json`), 'utf8')) as {
      startedAt: string;
    };
    const healthyAt = db.health.log.find((p) => p.exitCode === 0)!.end;
    expect(Date.parse(api.startedAt)).toBeGreaterThanOrEqual(Date.parse(healthyAt));
    expect(db.health.log.some((p) => p.exitCode !== 0)).toBe(true);
  });

  it("runs the image's own HEALTHCHECK where the file gives none, merges it with a partial one, and a dependent waits on it", () => {
    const checked = 'stack.local/busybox-checked:latest';
    const MS = 1_000_000;
    importTestImage(env, {
      tag: checked,
      // A failing probe leaves /tmp/probed, so that db's start can wait for one (however
      // late a loaded machine runs it) before it turns ready.
      healthcheck: {
        Test: ['CMD-SHELL', 'test -f /tmp/ready || { touch /tmp/probed; false; }'],
        Interval: 200 * MS,
        Timeout: 1000 * MS,
        Retries: 50,
      },
    });
    const slowStart = `    command: ["sh", "-c", "until [ -f /tmp/probed ]; do sleep 0.05; done; touch /tmp/ready; exec sleep 1000"]\n    stop_signal: SIGKILL\n`;
    const g = stackFile(
      `${project}i`,
      `  db:
    image: ${checked}
${slowStart}  quick:
    image: ${checked}
${slowStart}    healthcheck:
      test: ["CMD", "true"]
  off:
    image: ${checked}
${slowStart}    healthcheck:
      disable: true
  api:
    image: ${checked}
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    healthcheck:
      disable: true
    depends_on:
      db: { condition: service_healthy }
`,
    );
    const up = stack(env, [...g, 'up', '--wait', '--wait-timeout', '20']);
    expect(up.stderr).not.toMatch(/✖/);
    expect(up.code).toBe(0);
    // db: the image's check; quick: its own test on the image's 200 ms interval; off, api: none.
    expect(Object.fromEntries(ps(g).map((r) => [r.service, [r.state, r.health]]))).toEqual({
      db: ['running', 'healthy'],
      quick: ['running', 'healthy'],
      off: ['running', undefined],
      api: ['running', undefined],
    });
    const records = path.join(env.env.STACK_ROOT!, 'stacks', `${project}i`, 'state', 'containers');
    const db = JSON.parse(fs.readFileSync(path.join(records, `${project}i-db-1.json`), 'utf8')) as {
      health: { log: { end: string; exitCode: number }[] };
    };
    const api = JSON.parse(fs.readFileSync(path.join(records, `${project}i-api-1.json`), 'utf8')) as {
      startedAt: string;
    };
    // It really probed /tmp/ready: a failure before db was ready, then success, and api started after it.
    expect(db.health.log.some((p) => p.exitCode !== 0)).toBe(true);
    expect(Date.parse(api.startedAt)).toBeGreaterThanOrEqual(
      Date.parse(db.health.log.find((p) => p.exitCode === 0)!.end),
    );
  });

  it('an unhealthy dependency keeps its dependent from starting and says why', () => {
    const g = stackFile(
      `${project}b`,
      `  sick:
    image: ${TEST_IMAGE}
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "sh", "-c", "echo not ready; exit 1"]
      interval: 100ms
      retries: 2
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "1000"]
    depends_on:
      sick: { condition: service_healthy }
`,
    );
    const up = stack(env, [...g, 'up', '-d']);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/app not started: dependency sick is unhealthy \(last check: exit 1: not ready\)/);
    expect(ps(g).map((r) => r.service)).toEqual(['sick']);
    expect(row(g, 'sick').health).toBe('unhealthy');
  });
});

describe('restart policies', () => {
  const project = uniqueProject('trestart');
  let f: string[];
  let watcher: ReturnType<typeof follow>;

  beforeAll(() => {
    f = stackFile(
      project,
      `  flaky:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "exit 3"]
    restart: on-failure:2
  forever:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 0.2"]
    restart: always
  once:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "exit 1"]
    restart: "no"
  steady:
    image: ${TEST_IMAGE}
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
`,
    );
  });

  afterAll(() => watcher?.run.child.kill('SIGTERM'));

  it('on-failure:2 restarts twice then stops, with the exit code and count in ps; "no" does not restart', async () => {
    expect(stack(env, [...f, 'up', '-d']).code).toBe(0);
    watcher = follow(f);
    await waitFor(
      () => row(f, 'flaky').restarts === 2 && row(f, 'flaky').state === 'exited',
      10_000,
      'flaky to give up',
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(row(f, 'flaky')).toMatchObject({ state: 'exited', exitCode: 3, restarts: 2 });
    expect(row(f, 'once')).toMatchObject({ state: 'exited', exitCode: 1, restarts: 0 });
  });

  it('always restarts, with backoff, and the events stream shows die and restart', async () => {
    await waitFor(() => row(f, 'forever').restarts >= 3, 15_000, 'forever to restart three times');
    await waitFor(
      () => watcher.events().filter((e) => e.service === 'forever' && e.type === 'restart').length >= 2,
      5000,
      'restart events',
    );
    const events = watcher.events().filter((e) => e.service === 'forever');
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['die', 'restart', 'start']));
    expect(events.find((e) => e.type === 'die')?.exitCode).toBe(0);
  });

  it('stop disables the restart policy and keeps other pids; start and restart bring it back', async () => {
    const steadyPid = row(f, 'steady').pid;
    expect(stack(env, [...f, 'stop', 'forever']).code).toBe(0);
    const stoppedCount = row(f, 'forever').restarts;
    await new Promise((r) => setTimeout(r, 1500));
    expect(row(f, 'forever')).toMatchObject({ state: 'exited', stopped: true, restarts: stoppedCount });
    expect(watcher.events().some((e) => e.service === 'forever' && e.type === 'stop')).toBe(true);

    expect(stack(env, [...f, 'start', 'forever']).code).toBe(0);
    await waitFor(() => row(f, 'forever').restarts > stoppedCount, 10_000, 'forever to run and restart again');
    expect(row(f, 'forever').stopped).toBeUndefined();

    const restarted = stack(env, [...f, 'restart', 'steady']);
    expect(restarted.code).toBe(0);
    const after = row(f, 'steady');
    expect(after.state).toBe('running');
    expect(after.pid).not.toBe(steadyPid);
  });
});

describe('orphans', () => {
  it("up keeps a removed service's container with a note; down --remove-orphans removes it with the rest", () => {
    const project = uniqueProject('torphan');
    const service = (name: string) =>
      `  ${name}:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n`;
    const f = stackFile(project, service('keep') + service('gone'));
    expect(stack(env, [...f, 'up', '-d']).code).toBe(0);
    stackFile(project, service('keep'));
    const again = stack(env, [...f, 'up', '-d']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout + again.stderr).toMatch(/not in the stack file; --remove-orphans removes it/);
    expect(
      ps(f)
        .map((r) => r.service)
        .sort(),
    ).toEqual(['gone', 'keep']);
    const down = stack(env, [...f, 'down', '--remove-orphans']);
    expect(down.code, down.stderr).toBe(0);
    expect(ps(f)).toEqual([]);
  });
});

describe('restart', () => {
  it('also restarts the services that follow the named one (depends_on restart: true), and no others', () => {
    const sleeper = (name: string, deps = '') =>
      `  ${name}:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n${deps}`;
    const f = stackFile(
      uniqueProject('tfollow'),
      sleeper('db') +
        sleeper('api', '    depends_on:\n      db: { condition: service_started, restart: true }\n') +
        sleeper('report', '    depends_on: [db]\n'),
    );
    expect(stack(env, [...f, 'up', '-d']).code).toBe(0);
    const before = Object.fromEntries(ps(f).map((r) => [r.service, r.pid]));
    const r = stack(env, [...f, 'restart', 'db']);
    expect(r.code, r.stderr).toBe(0);
    const after = Object.fromEntries(ps(f).map((x) => [x.service, x.pid]));
    expect(after.db).not.toBe(before.db);
    expect(after.api).not.toBe(before.api);
    expect(after.report).toBe(before.report);
  });
});

describe('--format json', () => {
  interface Line {
    type: string;
    plan?: { operations: { id: string; kind: string }[] };
    event?: { type: string; id: string };
  }
  const lines = (stdout: string): Line[] =>
    stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Line);

  it("up, stop and down print the plan, then every operation's events, one JSON object per line on stdout", () => {
    const f = stackFile(
      uniqueProject('tjson'),
      `  one:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n`,
    );
    for (const command of [['up', '-d'], ['stop'], ['down']]) {
      const r = stack(env, [...f, ...command, '--format', 'json']);
      expect(r.code, r.stderr).toBe(0);
      const [plan, ...events] = lines(r.stdout);
      expect(plan!.type).toBe('plan');
      const ids = plan!.plan!.operations.map((op) => op.id);
      expect(ids.length, command.join(' ')).toBeGreaterThan(0);
      // Every operation starts and finishes, and nothing else is on stdout.
      expect(
        events
          .filter((e) => e.event!.type === 'done')
          .map((e) => e.event!.id)
          .sort(),
      ).toEqual([...ids].sort());
      expect(events.every((e) => e.type === 'progress' && ['start', 'done'].includes(e.event!.type))).toBe(true);
    }
    expect(stack(env, [...f, 'up', '--format', 'yaml']).stderr).toMatch(/--format takes text or json, not "yaml"/);
  });
});

describe('up --wait', () => {
  it('returns once everything is running or healthy, a one-shot that exited 0 counting as done', () => {
    const f = stackFile(
      uniqueProject('twait'),
      `  web:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "sleep 0.5; touch /tmp/ok; exec sleep 1000"]
    stop_signal: SIGKILL
    healthcheck:
      test: test -f /tmp/ok
      interval: 100ms
      start_period: 10s
      start_interval: 100ms
  setup:
    image: ${TEST_IMAGE}
    command: ["true"]
`,
    );
    const up = stack(env, [...f, 'up', '--wait', '--wait-timeout', '20']);
    expect(up.stderr).toMatch(/is ready/);
    expect(up.code).toBe(0);
    expect(row(f, 'web').health).toBe('healthy');
  });

  it('exits 1 naming the container and the reason when one fails', () => {
    // A check that can never pass in time: without one, a loaded machine may see the
    // container running (ready) before sh exits, and the wait is met before the failure.
    const f = stackFile(
      uniqueProject('twaitf'),
      `  broken:\n    image: ${TEST_IMAGE}\n    command: ["sh", "-c", "exit 4"]\n    healthcheck: {test: ["CMD", "false"], interval: 1m, retries: 3}\n`,
    );
    const up = stack(env, [...f, 'up', '--wait']);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/container twaitf\w+-broken-1 exited with code 4/);
  });

  it('--wait-timeout gives up on one that is not healthy in time, naming it', () => {
    const f = stackFile(
      uniqueProject('twaitt'),
      `  slow:\n    image: ${TEST_IMAGE}\n    command: ["sleep", "1000"]\n    stop_signal: SIGKILL\n    healthcheck: { test: ["CMD", "false"], interval: 30s, start_period: 60s }\n`,
    );
    const up = stack(env, [...f, 'up', '--wait', '--wait-timeout', '1']);
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/container twaitt\w+-slow-1 was not ready after 1 s/);
  });
});

describe('up flags on the real kernel', () => {
  const services = (extra: string) => `  db:
    image: ${TEST_IMAGE}
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
  app:
    image: ${TEST_IMAGE}
    command: ["sleep", "1000"]
    stop_signal: SIGKILL
    depends_on: [db]
${extra}`;

  it('--no-deps starts only the named service; --no-recreate keeps a changed one; --remove-orphans removes what left the file', () => {
    const project = uniqueProject('tflags');
    const f = stackFile(project, services('    environment: { V: "1" }\n'));
    expect(stack(env, [...f, 'up', '-d', '--no-deps', 'app']).code).toBe(0);
    expect(ps(f).map((r) => r.service)).toEqual(['app']);
    expect(stack(env, [...f, 'up', '-d']).code).toBe(0);
    const app = row(f, 'app').pid;

    stackFile(project, services('    environment: { V: "2" }\n'));
    const kept = stack(env, [...f, 'up', '-d', '--no-recreate']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toMatch(/--no-recreate keeps tflags\w+-app-1 as it is/);
    expect(row(f, 'app').pid).toBe(app);

    stackFile(
      project,
      services('    environment: { V: "2" }\n')
        .replace(/ {2}db:[\s\S]*?(?= {2}app:)/, '')
        .replace('    depends_on: [db]\n', ''),
    );
    const note = stack(env, [...f, 'up', '-d']);
    expect(note.stderr).toMatch(
      /container tflags\w+-db-1 belongs to service db, which is not in the stack file; --remove-orphans removes it/,
    );
    expect(
      ps(f)
        .map((r) => r.service)
        .sort(),
    ).toEqual(['app', 'db']);
    expect(stack(env, [...f, 'up', '-d', '--remove-orphans']).code).toBe(0);
    expect(ps(f).map((r) => r.service)).toEqual(['app']);
  });

  it('unless-stopped restarts a failing container until it is stopped', async () => {
    const f = stackFile(
      uniqueProject('tunless'),
      `  bouncy:\n    image: ${TEST_IMAGE}\n    command: ["sh", "-c", "sleep 0.2; exit 1"]\n    restart: unless-stopped\n`,
    );
    expect(stack(env, [...f, 'up', '-d']).code).toBe(0);
    await waitFor(() => row(f, 'bouncy').restarts >= 2, 15_000, 'bouncy to restart twice');
    expect(stack(env, [...f, 'stop']).code).toBe(0);
    const restarts = row(f, 'bouncy').restarts;
    await new Promise((r) => setTimeout(r, 1500));
    expect(row(f, 'bouncy')).toMatchObject({ state: 'exited', restarts, stopped: true });
  });
});
