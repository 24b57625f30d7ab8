// STACK_ROOT on a small tmpfs the test mounts, filled up while a stack runs: the supervisor
// must not die on its own log write (it did: an unhandled 'error' event, then no DNS, no
// restarts and a stale socket), a restart that failed for lack of space is tried again once
// there is space, a failed state write names its file, no `*.tmp` is left anywhere, and
// `down` leaves nothing.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  importTestImage,
  stack,
  uniqueProject,
  webService,
  TEST_IMAGE,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { bridgeName, natTableName } from '../../model/names.js';
import {
  findSupervisorPid,
  isAlive,
  killSupervisors,
  startStack,
  waitFor,
  type Running,
} from '../support/processes.js';
import { fill } from '../../bench/lib/fault-replay.mjs';
import { psJson } from '../support/ps-json.js';

interface Row {
  service: string;
  state: string;
  pid?: number;
}

const before = snapshotHostObjects();
let env: StackEnv;
let lib: string;
const project = uniqueProject('tfull');

beforeAll(() => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-test-'));
  lib = path.join(root, 'lib');
  fs.mkdirSync(lib);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'stktest-full', lib]);
  env = {
    root,
    env: { ...process.env, STACK_ROOT: lib, STACK_RUN: path.join(root, 'run') },
    dispose: () => {
      // Lazily: a container process that is still being reaped may hold it a moment longer.
      execFileSync('umount', ['--lazy', lib]);
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
  importTestImage(env);
});

afterAll(async () => {
  fs.rmSync(path.join(lib, 'fill'), { force: true });
  stack(env, ['-p', project, 'down', '-t', '0']);
  await killSupervisors(project);
  env.dispose();
});

function ps(f: string[]): Row[] {
  const r = stack(env, [...f, 'ps', '-a', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return psJson(r.stdout) as Row[];
}

function tmpFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('.tmp'));
}

/** `stack events --format json` in the background, its lines as they come. */
function followEvents(f: string[]): { lines: string[]; run: Running } {
  const run = startStack(env, [...f, 'events', '--format', 'json']);
  const lines: string[] = [];
  let rest = '';
  run.child.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    lines.push(...parts);
  });
  return { lines, run };
}

describe('STACK_ROOT full', () => {
  it('the supervisor lives on, a state write names its file, a restart is retried once there is space, no .tmp is left, down leaves nothing', async () => {
    const port = await freePort();
    const file = path.join(env.root, 'stack.yaml');
    fs.writeFileSync(
      file,
      `name: ${project}
services:
${webService([`127.0.0.1:${port}:80`], '    stop_grace_period: 0s\n')}  looper:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "echo tick; sleep 0.3; exit 3"]
    restart: always
    stop_grace_period: 0s
`,
    );
    const f = ['-f', file];
    const up = stack(env, [...f, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const supervisor = findSupervisorPid(project)!;
    const events = followEvents(f);
    await waitFor(() => events.lines.some((l) => l.includes('"start"')), 10_000, 'a restart of the looper');

    // tmpfs gives files whole pages: a log line fits into the slack of the log's last page
    // even on a full disk. Ending the log at a page boundary first makes the supervisor's
    // next line need a new page, as it does sooner or later on any full disk.
    const supervisorLog = path.join(lib, 'stacks', project, 'supervisor.log');
    fs.appendFileSync(supervisorLog, '.'.repeat(4095 - (fs.statSync(supervisorLog).size % 4096)) + '\n');
    const filler = fill(lib);
    // The looper exits, the supervisor logs that, and its restart fails for lack of space.
    await waitFor(
      () => events.lines.some((l) => /restart failed/.test(l)),
      20_000,
      'a restart that fails for lack of space',
    );
    expect(isAlive(supervisor)).toBe(true);
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');

    // A command that must write a record says which one it could not write.
    const stop = stack(env, [...f, 'stop', 'web']);
    expect(stop.code).toBe(1);
    expect(stop.stderr).toMatch(new RegExp(`cannot write ${lib}/\\S+: ENOSPC`));
    expect(stop.stderr).not.toMatch(/closed the connection/);

    fs.rmSync(filler);
    // Retried by the supervisor itself, not by a later `up`.
    await waitFor(
      () => ps(f).find((r) => r.service === 'looper')?.state === 'running',
      20_000,
      'the looper to run again',
    );
    expect(isAlive(supervisor)).toBe(true);
    expect(tmpFiles(lib)).toEqual([]);
    events.run.child.kill();

    const down = stack(env, [...f, 'down', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    expect(
      objectsNaming(newObjects(before, snapshotHostObjects()), [
        project,
        bridgeName(project, 'default'),
        natTableName(project),
      ]),
    ).toEqual({});
    expect(tmpFiles(lib)).toEqual([]);
  });
});
