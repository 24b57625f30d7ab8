// `stack run -p HOST:CONTAINER` and `-P/--service-ports`, as compose's run: the one-off's
// DNAT rules go in a table of its own (executor/host/linux/one-off-ruleset.ts) made as it
// starts and removed as it ends. A port another one holds is an error naming the holder.
// A killed `stack run` (kill -9) leaves its record, which names the table: `down` removes
// it with the container, and the next `up` once the one-off is gone too. One killed after
// its ports were claimed but before its container was spawned holds them no longer, and a
// table it published meanwhile is removed by the next `run` before that one publishes.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { freePort, httpGet, stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { startStack, waitFor } from '../support/processes.js';
import { pidsWithEnv, stackStoppedAt } from '../support/fault-points.js';
import { psJson } from '../support/ps-json.js';

const one = oneStackUnderTest('trunports');
const run = (...args: string[]) => stack(one.env, ['-f', one.file, ...args]);
let servicePort = 0;

beforeAll(async () => {
  servicePort = await freePort();
  writeStackFile(
    one.env,
    one.project,
    `  web:
    image: ${TEST_IMAGE}
    command: httpd -f -p 80 -h /www
    stop_grace_period: 0s
    ports: ["127.0.0.1:${servicePort}:80"]
`,
  );
});

/** The nftables tables of this stack's one-offs (`stk_<project>_<hash>_run_…`). */
const oneOffTables = () =>
  execFileSync('nft', ['list', 'tables', 'ip'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => new RegExp(`^table ip stk_${one.project}_[0-9a-f]{6}_run_`).test(l));

interface Row {
  Name: string;
  State: string;
  ExitCode: number;
}
const rows = () => psJson<Row>(run('ps', '-a', '--format', 'json').stdout);

const watchers = () => pidsWithEnv('STACK_RUN_WATCHER=1', `STACK_ROOT=${one.env.env.STACK_ROOT}`);

/** `run --rm -P web` stopped at a fault point (store/fault-point.ts). */
const runStoppedAt = (point: string) => stackStoppedAt(one.env, ['-f', one.file, 'run', '--rm', '-P', 'web'], point);

it('publishes -p on 127.0.0.1 while an attached one-off runs, and removes the rule when it ends', async () => {
  const port = await freePort();
  // httpd as PID 1 would ignore the SIGTERM `stack run` passes on: a shell that ends on it.
  const command = ['sh', '-c', "trap 'exit 0' TERM; httpd -f -p 80 -h /www & wait"];
  const r = startStack(one.env, ['-f', one.file, 'run', '--rm', '-p', `127.0.0.1:${port}:80`, 'web', ...command]);
  expect(await httpGet(`http://127.0.0.1:${port}/`)).toContain('hello from stack');
  expect(oneOffTables()).toHaveLength(1);
  r.child.kill('SIGTERM');
  expect((await r.result).code).toBe(0);
  expect(oneOffTables()).toEqual([]);
});

it("publishes the service's ports with -P; a second one-off on the same port is refused naming the first", async () => {
  const started = run('run', '-d', '-P', 'web');
  expect(started.code, started.stderr).toBe(0);
  const name = started.stdout.trim();
  expect(await httpGet(`http://127.0.0.1:${servicePort}/`)).toContain('hello from stack');
  const listed = psJson<{ Name: string; Publishers: { PublishedPort: number; TargetPort: number }[] }>(
    run('ps', '--format', 'json').stdout,
  ).find((r) => r.Name === name);
  expect(listed?.Publishers).toEqual([expect.objectContaining({ PublishedPort: servicePort, TargetPort: 80 })]);
  const second = run('run', '--rm', '-p', `127.0.0.1:${servicePort}:80`, 'web');
  expect(second.code).not.toBe(0);
  expect(second.stderr).toContain(`published by one-off ${name} of stack ${one.project}`);
  // `up` of the service itself would take the port too: refused, naming the one-off.
  const up = run('up', '-d');
  expect(up.code).not.toBe(0);
  expect(up.stderr).toContain(`one-off ${name}`);
  // kill -9 of the watcher: the one-off keeps running and holding its port; `down` removes both.
  for (const pid of watchers()) process.kill(pid, 'SIGKILL');
  expect(oneOffTables()).toHaveLength(1);
  expect(run('down', '-t', '0').code).toBe(0);
  expect(oneOffTables()).toEqual([]);
});

/**
 * `run -d -P web`, then kill -9 of its watcher and of the container: nothing ran to take
 * the rule away. Resolves with the one-off's name and the path of its record.
 */
async function oneOffKilled(): Promise<{ name: string; record: string }> {
  const started = run('run', '-d', '-P', 'web');
  expect(started.code, started.stderr).toBe(0);
  const name = started.stdout.trim();
  await httpGet(`http://127.0.0.1:${servicePort}/`);
  const record = path.join(one.env.env.STACK_ROOT!, 'stacks', one.project, 'state', 'containers', `${name}.json`);
  const { pid } = JSON.parse(fs.readFileSync(record, 'utf8')) as { pid: number };
  for (const w of watchers()) process.kill(w, 'SIGKILL');
  process.kill(pid, 'SIGKILL');
  return { name, record };
}

it('frees the ports of a one-off killed with its `stack run` at the next up', async () => {
  const { name } = await oneOffKilled();
  await waitFor(() => rows().find((r) => r.Name === name)?.State !== 'running', 10_000, 'the one-off gone');
  expect(oneOffTables()).toHaveLength(1);
  const up = run('up', '-d');
  expect(up.code, up.stderr).toBe(0);
  expect(oneOffTables()).toEqual([]);
  // The service itself publishes the port now.
  expect(await httpGet(`http://127.0.0.1:${servicePort}/`)).toContain('hello from stack');
  expect(run('down', '-t', '0').code).toBe(0);
});

it('down removes the table of a killed one-off whose record is damaged (truncated)', async () => {
  const { record } = await oneOffKilled();
  fs.writeFileSync(record, '{"spec": {"na');
  expect(oneOffTables()).toHaveLength(1);
  const down = run('down', '-t', '0');
  expect(down.code, down.stderr).toBe(0);
  expect(oneOffTables()).toEqual([]);
});

it('frees the ports a `stack run` claimed when it is killed (-9) before its container is spawned', async () => {
  // The fault point (store/fault-point.ts): the run stops itself right after its claim is written.
  const { pid, result } = await runStoppedAt('run-claimed');
  const claimed = rows();
  expect(claimed.map((row) => row.State)).toEqual(['created']);
  // While it lives, its claim holds the port.
  const refused = run('up', '-d');
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(`one-off ${claimed[0]!.Name}`);
  process.kill(pid, 'SIGKILL');
  await result;
  // The next command: the port is free, and the service publishes it.
  const up = run('up', '-d');
  expect(up.code, up.stderr).toBe(0);
  expect(await httpGet(`http://127.0.0.1:${servicePort}/`)).toContain('hello from stack');
  expect(run('down', '-t', '0').code).toBe(0);
  expect(rows()).toEqual([]);
});

it('a `stack run` killed (-9) after publishing its ports and before its spawn: the next run on the port replaces its table', async () => {
  // The fault point: the run stops itself right after its one-off table is published.
  const { pid, result } = await runStoppedAt('run-published');
  expect(oneOffTables()).toHaveLength(1);
  process.kill(pid, 'SIGKILL');
  await result;
  // Its claim has lapsed, so a second run takes the port; the lapsed table must not stay
  // beside the new one (two DNATs of one port, the first of which leads nowhere).
  const port = `127.0.0.1:${servicePort}:80`;
  const command = ['sh', '-c', "trap 'exit 0' TERM; httpd -f -p 80 -h /www & wait"];
  const second = startStack(one.env, ['-f', one.file, 'run', '--rm', '-p', port, 'web', ...command]);
  expect(await httpGet(`http://127.0.0.1:${servicePort}/`)).toContain('hello from stack');
  expect(oneOffTables()).toHaveLength(1);
  second.child.kill('SIGTERM');
  expect((await second.result).code).toBe(0);
  expect(oneOffTables()).toEqual([]);
  expect(run('down', '-t', '0').code).toBe(0);
  expect(rows()).toEqual([]);
});

it('run -d records the exit code, and run -d --rm removes the one-off when it exits', async () => {
  const kept = run('run', '-d', '--no-deps', 'web', 'sh', '-c', 'exit 3');
  expect(kept.code, kept.stderr).toBe(0);
  const name = kept.stdout.trim();
  const row = await waitFor(() => rows().find((r) => r.Name === name && r.State === 'exited'), 10_000, 'exited');
  expect(row.ExitCode).toBe(3);
  const removed = run('run', '-d', '--rm', '--no-deps', 'web', 'sh', '-c', 'exit 0');
  expect(removed.code, removed.stderr).toBe(0);
  await waitFor(() => !rows().some((r) => r.Name === removed.stdout.trim()) || undefined, 10_000, 'removed');
  expect(run('down', '-t', '0').code).toBe(0);
});
