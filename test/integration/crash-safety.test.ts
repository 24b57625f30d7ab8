// Crash safety on the real kernel: a failure or a crash at any point of `up` leaves a host
// from which the next `up` converges and `down` removes every trace. The supervisor is
// SIGKILLed after `up -d` and at random points during it, the CLI is SIGKILLed mid-`up`,
// and a service whose command does not exist fails without disturbing the others.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { bridgeName, containerName, natTableName, vethName } from '../../model/names.js';
import { findSupervisorPid, isAlive, killAndWait, killSupervisors, startStack, waitFor } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

interface Row {
  service: string;
  state: string;
  pid?: number;
}

let env: StackEnv;
/** Services of each project a test made, for clean-up and leak checks. */
const serviceNames = new Map<string, string[]>();
const before = snapshotHostObjects();

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
});

afterAll(async () => {
  for (const p of serviceNames.keys()) {
    stack(env, ['-p', p, 'down', '-t', '0']);
    await killSupervisors(p);
  }
  env.dispose();
});

/** Writes a stack file (services given as YAML bodies) and returns the `-f` arguments. */
function stackFile(project: string, services: Record<string, string>): string[] {
  serviceNames.set(project, Object.keys(services));
  const file = path.join(env.root, `${project}.yaml`);
  const body = Object.entries(services).map(
    ([name, yaml]) => `  ${name}:\n    image: ${TEST_IMAGE}\n    stop_grace_period: 1s\n${yaml.replace(/^/gm, '    ')}`,
  );
  fs.writeFileSync(file, `name: ${project}\nservices:\n${body.join('\n')}\n`);
  return ['-f', file];
}

const web = (port: number) => `command: httpd -f -p 80 -h /www\nports: ["127.0.0.1:${port}:80"]`;

function ps(f: string[]): Row[] {
  const r = stack(env, [...f, 'ps', '-a', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return (psJson(r.stdout) as Row[]).sort((a, b) => a.service.localeCompare(b.service));
}

const pidsOf = (rows: Row[]) => Object.fromEntries(rows.map((r) => [r.service, r.pid]));

function expectUp(f: string[], ok = true): string {
  const r = stack(env, [...f, 'up', '-d']);
  expect(r.code, r.stderr).toBe(ok ? 0 : 1);
  return r.stderr;
}

async function expectAllRunning(f: string[], services: string[], port: number): Promise<void> {
  expect(ps(f).map((r) => [r.service, r.state])).toEqual(services.sort().map((s) => [s, 'running']));
  expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
}

/** `down` succeeds and leaves no host object and no state behind. */
async function expectDownClean(f: string[], project: string): Promise<void> {
  const down = stack(env, [...f, 'down', '-t', '0']);
  expect(down.code, down.stderr).toBe(0);
  expect(ps(f)).toEqual([]);
  // Only this stack's objects: other test runs may share the host.
  // A slot's container may be a replacement (`<name>.b`, planner/plan/plan-instances.ts).
  const veths = serviceNames
    .get(project)!
    .flatMap((s) => [containerName(project, s), `${containerName(project, s)}.b`])
    .map((c) => vethName(project, c, 'default'));
  const names = [project, env.root, bridgeName(project, 'default'), natTableName(project), ...veths];
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), names)).toEqual({});
  expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
  expect(fs.existsSync(path.join(env.env.STACK_RUN!, project))).toBe(false);
}

describe('supervisor killed after up -d', () => {
  it('leaves the containers running; the next up adopts them; down removes everything', async () => {
    const project = uniqueProject('tcsup');
    const port = await freePort();
    const f = stackFile(project, { web: web(port), worker: 'command: sleep 1000' });
    expectUp(f);
    const supervisor = await waitFor(() => findSupervisorPid(project), 5000, 'the supervisor');
    await killAndWait(supervisor);

    await expectAllRunning(f, ['web', 'worker'], port);
    const pids = pidsOf(ps(f));
    const again = expectUp(f);
    expect(again).toMatch(/is up to date/);
    const adopter = findSupervisorPid(project);
    expect(adopter).toBeDefined();
    expect(adopter).not.toBe(supervisor);
    expect(pidsOf(ps(f))).toEqual(pids);
    await expectAllRunning(f, ['web', 'worker'], port);

    // The adopter is not the worker's parent, yet it notices its exit and records it, with
    // the exit code the kernel's taskstats record gave (SIGKILL: 137).
    await killAndWait(pids.worker!);
    const record = path.join(env.env.STACK_ROOT!, 'stacks', project, 'state', 'containers', `${project}-worker-1.json`);
    const read = () => JSON.parse(fs.readFileSync(record, 'utf8')) as { status: string; exitCode?: number };
    await waitFor(() => read().status === 'exited', 5000, 'the adopter to record the exit');
    expect(read().exitCode).toBe(137);
    await expectDownClean(f, project);
  });
});

describe('a service that cannot start', () => {
  it('fails naming the container, step and cause; the others stay; fixing the file converges', async () => {
    const project = uniqueProject('tcfail');
    const port = await freePort();
    const services = {
      web: web(port),
      broken: 'command: no-such-program',
      after: 'command: sleep 1000\ndepends_on: [broken]',
    };
    const f = stackFile(project, services);
    const failed = expectUp(f, false);
    expect(failed).toMatch(
      new RegExp(`${project}-broken-1: init failed at lookup: executable file not found in \\$PATH: no-such-program`),
    );
    expect(failed).toMatch(/after not started: dependency broken failed to start/);
    expect(ps(f).find((r) => r.service === 'web')?.state).toBe('running');
    const webPid = pidsOf(ps(f)).web;

    stackFile(project, { ...services, broken: 'command: sleep 1000' });
    expectUp(f);
    await expectAllRunning(f, ['web', 'broken', 'after'], port);
    expect(pidsOf(ps(f)).web).toBe(webPid);
    await expectDownClean(f, project);
  });
});

describe('crash during up', () => {
  const services = (port: number) => ({
    web: web(port),
    db: 'command: sleep 1000',
    api: 'command: sleep 1000\ndepends_on: [db]',
    front: 'command: sleep 1000\ndepends_on: [api, web]',
    cache: 'command: sleep 1000',
  });

  /**
   * Starts `up -d`, SIGKILLs its supervisor once `ready` holds plus `delay` ms (with `group`,
   * its whole process group: the `ip`/`nft` it runs die mid-way too), checks the CLI's failure.
   */
  async function killDuringUp(
    f: string[],
    project: string,
    ready: () => boolean,
    delay: number,
    group = false,
  ): Promise<void> {
    const up = startStack(env, [...f, 'up', '-d']);
    const supervisor = await waitFor(() => findSupervisorPid(project), 10_000, 'the supervisor');
    await waitFor(ready, 10_000, 'the kill point');
    await new Promise((r) => setTimeout(r, delay));
    await killAndWait(supervisor, group);
    const r = await up.result;
    if (r.code !== 0) expect(r.stderr).toMatch(/supervisor (closed the connection|of stack \S+ did not start)/);
  }

  /** The next up converges (its output returned), then down leaves nothing. */
  async function expectConverges(f: string[], project: string, port: number): Promise<string> {
    const out = expectUp(f);
    await expectAllRunning(f, Object.keys(services(port)), port);
    await expectDownClean(f, project);
    return out;
  }

  it('supervisor SIGKILLed before it listens: the next up converges, down leaves nothing', async () => {
    const project = uniqueProject('tckill');
    const port = await freePort();
    const f = stackFile(project, services(port));
    await killDuringUp(f, project, () => true, 0);
    await expectConverges(f, project, port);
  });

  /** Events the supervisor has journaled in this apply so far (the plan line not counted). */
  const journaled = (project: string) => {
    try {
      return fs
        .readFileSync(path.join(env.env.STACK_ROOT!, 'stacks', project, 'journal.jsonl'), 'utf8')
        .split('\n')
        .filter((l) => /"t":"(start|done|failed|skipped)"/.test(l)).length;
    } catch {
      return 0;
    }
  };

  // 10 random points inside the apply, by its own journal: the apply of the 5 services has 7
  // operations (bridge, NAT table, 5 containers), 14 start/done events; the kill lands right
  // after event k (1..9: the containers finish close together, so later events can come
  // within the few ms a kill takes), so always before the apply's end, wherever the time goes.
  for (let i = 0; i < 10; i++) {
    const k = 1 + Math.floor(Math.random() * 9);
    const group = i % 2 === 1;
    it(`${group ? 'supervisor and its tools' : 'supervisor'} SIGKILLed after event ${k} of 14 of the apply: the next up converges, down leaves nothing`, async () => {
      const project = uniqueProject('tckill');
      const port = await freePort();
      const f = stackFile(project, services(port));
      await killDuringUp(f, project, () => journaled(project) >= k, 0, group);
      // The next apply read the cut journal: the kill landed inside the apply.
      expect(await expectConverges(f, project, port)).toMatch(
        /the previous apply \(supervisor pid \d+, [^)]*\) was interrupted/,
      );
    });
  }

  it('the CLI SIGKILLed during up: the supervisor finishes the apply anyway', async () => {
    const project = uniqueProject('tccli');
    const port = await freePort();
    const f = stackFile(project, services(port));
    const up = startStack(env, [...f, 'up', '-d']);
    await waitFor(() => /✔/.test(up.stderr()), 10_000, 'the first finished operation');
    up.child.kill('SIGKILL');
    await up.result;
    const supervisor = findSupervisorPid(project);
    expect(supervisor && isAlive(supervisor)).toBeTruthy();
    await waitFor(() => ps(f).filter((r) => r.state === 'running').length === 5, 10_000, 'all five services to run');
    expect(expectUp(f)).toMatch(/is up to date/);
    await expectAllRunning(f, Object.keys(services(port)), port);
    await expectDownClean(f, project);
  });
});

describe('crash during a replacement', () => {
  // Healthy a second after it starts: long enough to catch the old and the new web both running.
  const slowWeb = (port: number, version: number) =>
    `command: ["sh", "-c", "sleep 1; touch /tmp/ready; exec httpd -f -p 80 -h /www"]\nenvironment: { V: "${version}" }\nports: ["127.0.0.1:${port}:80"]\n` +
    'healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: 1s, start_interval: 100ms, start_period: 10s }';

  it('supervisor SIGKILLed while the old and the new container run: the old one serves on, the next up keeps the new one, down leaves nothing', async () => {
    const project = uniqueProject('tcrep');
    const port = await freePort();
    const f = stackFile(project, { web: slowWeb(port, 1) });
    expectUp(f);
    await httpGet(`http://127.0.0.1:${port}/`);
    const old = pidsOf(ps(f)).web;
    stackFile(project, { web: slowWeb(port, 2) });
    const up = startStack(env, [...f, 'up', '-d']);
    const supervisor = await waitFor(() => findSupervisorPid(project), 10_000, 'the supervisor');
    await waitFor(
      () => ps(f).filter((r) => r.state === 'running').length === 2,
      10_000,
      'the replacement beside the old container',
    );
    await killAndWait(supervisor);
    await up.result;
    // The ports had not switched yet: the old container still serves them.
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
    expect(ps(f).map((r) => r.pid)).toContain(old);

    expectUp(f);
    const rows = ps(f);
    expect(rows.map((r) => [r.service, r.state])).toEqual([['web', 'running']]);
    expect(rows[0]!.pid).not.toBe(old);
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
    await expectDownClean(f, project);
  });
});
