// A published host port that another program (here: this test, a Node net server on
// 127.0.0.1) already holds: `up -d` fails with exit 1 before anything is made — the error
// names the port, the pid and the command, and the host is unchanged (no kernel object, no
// supervisor, no state for the project). The same for a port another stack publishes (a
// DNAT rule, no socket): the error names that stack and its service. A host range instead
// takes its next free port, and keeps it on the next apply.

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  importTestImage,
  makeStackEnv,
  stack,
  uniqueProject,
  type StackEnv,
  webService,
  writeStackFile,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects, type HostObjects } from '../support/host-objects.js';
import { paths } from '../../store/paths.js';
import { bridgeName, containerName, natTableName, vethName } from '../../model/names.js';

let env: StackEnv;
let server: net.Server;
let port: number;
let free: number;
let project: string;
let file: string;

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tportc');
  port = await freePort();
  free = await freePort();
  server = await listenOn(port);
  file = writeStackFile(env, project, webService([`127.0.0.1:${port}:80`, `127.0.0.1:${free}:81`]));
});

afterAll(async () => {
  if (file) stack(env, ['-f', file, 'down', '-t', '0']);
  if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  env?.dispose();
});

it('up -d refuses a host port held by another program and changes nothing', () => {
  const before = snapshotHostObjects();
  const r = stack(env, ['-f', file, 'up', '-d']);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    `service web: host port 127.0.0.1:${port}/tcp is taken by pid ${process.pid} (node) on 127.0.0.1; choose another host port or stop that program`,
  );
  // The free port is not reported.
  expect(r.stderr).not.toContain(`${free}/tcp`);
  expectNoTrace(project, before);
});

it('up -d refuses a host port another stack publishes, naming that stack and service, and changes nothing', async () => {
  const shared = await freePort();
  const first = uniqueProject('tporta');
  const second = uniqueProject('tportb');
  const fileOf = (p: string) => {
    const f = path.join(env.root, `${p}.yaml`);
    fs.writeFileSync(f, `name: ${p}\nservices:\n${webService([`127.0.0.1:${shared}:80`])}`);
    return f;
  };
  const [firstFile, secondFile] = [fileOf(first), fileOf(second)];
  try {
    const up = stack(env, ['-f', firstFile, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const before = snapshotHostObjects();
    const r = stack(env, ['-f', secondFile, 'up', '-d']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `service web: host port 127.0.0.1:${shared}/tcp is published by stack ${first} (service web) on 127.0.0.1; choose another host port or stop stack ${first}`,
    );
    expectNoTrace(second, before);
  } finally {
    // The second down matters only when the check failed and the second stack came up.
    for (const f of [secondFile, firstFile]) stack(env, ['-f', f, 'down', '-t', '0']);
  }
});

it('a host range skips the port a program holds: the container gets the next one, kept on the next apply', async () => {
  const held = await freePortBeforeAnother();
  const next = held + 1;
  const holder = await listenOn(held);
  const p = uniqueProject('tportr');
  const f = path.join(env.root, `${p}.yaml`);
  fs.writeFileSync(f, `name: ${p}\nservices:\n${webService([`127.0.0.1:${held}-${next}:80`])}`);
  try {
    const up = stack(env, ['-f', f, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const port = stack(env, ['-f', f, 'port', 'web', '80']);
    expect(port.stdout.trim()).toBe(`127.0.0.1:${next}`);
    expect(await httpGet(`http://127.0.0.1:${next}/`)).toContain('hello from stack');
    // The held port is free again, yet the choice stays: nothing to do.
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    const plan = stack(env, ['-f', f, 'plan']);
    expect(plan.stdout + plan.stderr).toContain(`plan for ${p}: nothing to do`);
  } finally {
    if (holder.listening) await new Promise<void>((resolve) => holder.close(() => resolve()));
    stack(env, ['-f', f, 'down', '-t', '0']);
  }
});

/** A free port of 127.0.0.1 whose next port is free too. */
async function freePortBeforeAnother(): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freePort();
    const probe = await listenOn(port + 1).catch(() => undefined);
    if (!probe) continue;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    return port;
  }
  throw new Error('no two adjacent free ports on 127.0.0.1');
}

function listenOn(port: number): Promise<net.Server> {
  const s = net.createServer();
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** `project` made no kernel object since `before`, and has no state or run folder. */
function expectNoTrace(project: string, before: HostObjects): void {
  expect(ours(project, newObjects(before, snapshotHostObjects()))).toEqual({});
  const env0 = { STACK_ROOT: process.env.STACK_ROOT, STACK_RUN: process.env.STACK_RUN };
  try {
    process.env.STACK_ROOT = env.env.STACK_ROOT;
    process.env.STACK_RUN = env.env.STACK_RUN;
    expect(fs.existsSync(paths.stackDir(project))).toBe(false);
    expect(fs.existsSync(paths.runDir(project))).toBe(false);
  } finally {
    for (const [k, v] of Object.entries(env0)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * The new host objects `project` could have made. Other test runs may share the host
 * (their objects carry other project names and roots), so those are left out.
 */
function ours(project: string, diff: Partial<HostObjects>): Partial<HostObjects> {
  return objectsNaming(diff, [
    project,
    env.root,
    bridgeName(project, 'default'),
    vethName(project, containerName(project, 'web'), 'default'),
    natTableName(project),
  ]);
}

it('stack plan reports the same problem', () => {
  const r = stack(env, ['-f', file, 'plan']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(
    new RegExp(`host port 127\\.0\\.0\\.1:${port}/tcp is taken by pid ${process.pid} \\(node\\)`),
  );
});
