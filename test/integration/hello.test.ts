// The walking skeleton end to end on the real kernel: up -d, a published port answered
// by a container, service-name resolution, ps, logs, isolation seen from inside, and a
// down that leaves nothing behind.

import { execFileSync } from 'node:child_process';
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
  webService,
  writeStackFile,
} from '../support/stack-cli.js';
import { snapshotHostObjects, newObjects } from '../support/host-objects.js';
import { startStack, waitFor } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

let env: StackEnv;
let file: string;
let project: string;
let port: number;
const before = snapshotHostObjects();

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('thello');
  port = await freePort();
  file = writeStackFile(
    env,
    project,
    webService([`127.0.0.1:${port}:80`], '    stop_grace_period: 1s\n') +
      `  client:
    image: ${TEST_IMAGE}
    depends_on: [web]
    command: ["sh", "-c", "while true; do wget -qO- http://web/; sleep 1; done"]
    stop_grace_period: 1s
`,
  );
});

afterAll(() => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  env.dispose();
});

describe('walking skeleton', () => {
  it('brings the stack up and serves the published port', async () => {
    const up = stack(env, ['-f', file, 'up', '-d']);
    expect(up.stderr).not.toMatch(/✖/);
    expect(up.code).toBe(0);
    expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
  });

  it('lists both containers with host pid, pid 1 inside and an address', () => {
    const ps = stack(env, ['-f', file, 'ps', '-a', '--format', 'json']);
    expect(ps.code).toBe(0);
    const rows = psJson(ps.stdout) as {
      service: string;
      state: string;
      pid: number;
      pidInNamespace: number;
      addresses: { ip: string }[];
    }[];
    expect(rows.map((r) => r.service).sort()).toEqual(['client', 'web']);
    for (const r of rows) {
      expect(r.state).toBe('running');
      expect(r.pid).toBeGreaterThan(1);
      expect(r.pidInNamespace).toBe(1);
      expect(r.addresses[0].ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    }
  });

  it('isolates the client: own pids, own hostname, its command as PID 1', () => {
    const rows = psJson(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout) as {
      service: string;
      pid: number;
    }[];
    const client = rows.find((r) => r.service === 'client')!;
    const inside = (cmd: string[]) =>
      execFileSync('nsenter', ['-t', String(client.pid), '-m', '-u', '-i', '-n', '-p', '-r', '-w', ...cmd], {
        encoding: 'utf8',
      });
    expect(inside(['hostname']).trim()).toBe('client');
    expect(inside(['cat', '/proc/1/cmdline']).split('\0').filter(Boolean)).toEqual([
      'sh',
      '-c',
      'while true; do wget -qO- http://web/; sleep 1; done',
    ]);
    const pids = inside(['ps', '-o', 'pid,args']).trim().split('\n').slice(1);
    // PID 1 (the loop), maybe its sleep or wget, and ps itself: nothing from the host.
    expect(pids.length).toBeLessThanOrEqual(4);
    expect(pids.some((l) => /^\s*1\s+sh -c/.test(l))).toBe(true);
  });

  it('resolves the web service by name from the client from its first request on (logs show the page)', async () => {
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('hello from stack'); i++) {
      logs = stack(env, ['-f', file, 'logs', 'client']).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(logs).toContain('hello from stack');
    // Its very first request already resolved: the DNS server knew web before client ran.
    expect(logs.split('\n')[0]).toBe('hello from stack');
  });

  it('logs -f keeps printing what the client writes (global -f before the command, -f after it is --follow)', async () => {
    const run = startStack(env, ['-f', file, 'logs', '-f', 'client']);
    let out = '';
    run.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const count = () => out.split('hello from stack').length - 1;
    const first = await waitFor(() => count() || undefined, 10_000, 'first log lines');
    await waitFor(() => count() > first, 10_000, 'new log lines while following');
    run.child.kill('SIGTERM');
    await run.result;
  });

  it('logs --tail N shows the last N lines of each container; several services get aligned, uncoloured prefixes off a terminal', async () => {
    // The client writes a line a second: wait for a few.
    await waitFor(
      () => stack(env, ['-f', file, 'logs', 'client']).stdout.split('\n').filter(Boolean).length >= 4,
      15_000,
      'four client lines',
    );
    const tail = stack(env, ['-f', file, 'logs', '--tail', '2', 'client']);
    expect(tail.code).toBe(0);
    const lines = tail.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(2);
    const all = stack(env, ['-f', file, 'logs', 'client']).stdout.split('\n').filter(Boolean);
    expect(all.length).toBeGreaterThan(2);
    expect(all).toEqual(expect.arrayContaining(lines));
    expect(stack(env, ['-f', file, 'logs', '-n', '0', 'client']).stdout).toBe('');
    expect(stack(env, ['-f', file, 'logs', '--tail', 'x']).stderr).toMatch(
      /--tail takes a number of lines or "all", not "x"/,
    );
    // web (httpd -f) writes nothing; the client's line carries the prefix.
    const both = stack(env, ['-f', file, 'logs', '--tail', '1']).stdout.split('\n').filter(Boolean);
    expect(both).toHaveLength(1);
    expect(both[0]).toMatch(/^client \| /);
    expect(both.join('')).not.toContain('\x1b[');
  });

  it('logs -t shows when each line was written; --since and --until keep the lines of a time window', () => {
    const stamped = stack(env, ['-f', file, 'logs', '-t', 'client']).stdout.split('\n').filter(Boolean);
    expect(stamped.length).toBeGreaterThan(2);
    const times = stamped.map((l) => {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) /.exec(l);
      expect(m, l).not.toBeNull();
      return Date.parse(m![1]!);
    });
    // In order, within this test run, and the pages about a second apart (the client fetches every second).
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(times[0]!).toBeGreaterThan(Date.now() - 120_000);
    const pages = times.filter((_, i) => stamped[i]!.includes('hello from stack'));
    expect(pages.at(-1)! - pages[0]!).toBeGreaterThanOrEqual((pages.length - 2) * 500);
    const cut = new Date(times.at(-2)!).toISOString();
    const since = stack(env, ['-f', file, 'logs', '-t', '--since', cut, 'client']).stdout.split('\n').filter(Boolean);
    expect(since.length).toBeGreaterThanOrEqual(2);
    expect(since.length).toBeLessThan(stamped.length + 2);
    expect(since.every((l) => Date.parse(l.slice(0, 24)) >= Date.parse(cut))).toBe(true);
    const until = stack(env, ['-f', file, 'logs', '--until', cut, 'client']).stdout.split('\n').filter(Boolean);
    expect(until.length).toBe(stamped.length - 1);
    expect(
      stack(env, ['-f', file, 'logs', '--since', '1h', 'client']).stdout.split('\n').filter(Boolean).length,
    ).toBeGreaterThanOrEqual(stamped.length);
    expect(stack(env, ['-f', file, 'logs', '--since', 'yesterday-ish', 'client']).stderr).toMatch(
      /--since takes a date .* not "yesterday-ish"/,
    );
  });

  it('down removes every trace', () => {
    const down = stack(env, ['-f', file, 'down']);
    expect(down.code).toBe(0);
    const leaks = newObjects(before, snapshotHostObjects());
    expect(leaks).toEqual({});
    expect(fs.existsSync(path.join(env.env.STACK_ROOT!, 'stacks', project))).toBe(false);
    expect(stack(env, ['-f', file, 'ps', '-a', '--format', 'json']).stdout.trim()).toBe('');
  });
});
