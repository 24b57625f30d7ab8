// A published host port that another program (here: this test, a Node net server on
// 127.0.0.1) already holds: `up -d` fails with exit 1 before anything is made — the error
// names the port, the pid and the command, and the host is unchanged (no kernel object, no
// supervisor, no state for the project).

import fs from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, importTestImage, makeStackEnv, stack, uniqueProject, type StackEnv, webService, writeStackFile } from '../support/stack-cli.js';
import { newObjects, snapshotHostObjects, type HostObjects } from '../support/host-objects.js';
import { paths } from '../../executor/host/linux/paths.js';
import { bridgeName, containerName, natTableName, vethName } from '../../planner/names.js';

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
  server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
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
  expect(ours(newObjects(before, snapshotHostObjects()))).toEqual({});
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
});

/**
 * The new host objects this project could have made. Other test runs may share the host
 * (their objects carry other project names and roots), so those are left out.
 */
function ours(diff: Partial<HostObjects>): Partial<HostObjects> {
  const names = [project, env.root, bridgeName(project, 'default'), vethName(project, containerName(project, 'web'), 'default'), natTableName(project)];
  const out: Partial<HostObjects> = {};
  for (const [key, list] of Object.entries(diff) as [keyof HostObjects, string[]][]) {
    const mine = list.filter((o) => names.some((n) => o.includes(n)));
    if (mine.length > 0) out[key] = mine;
  }
  return out;
}

it('stack plan reports the same problem', () => {
  const r = stack(env, ['-f', file, 'plan']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(new RegExp(`host port 127\\.0\\.0\\.1:${port}/tcp is taken by pid ${process.pid} \\(node\\)`));
});
