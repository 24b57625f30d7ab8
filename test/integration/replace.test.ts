// Make-before-break recreates on the real kernel: an edit to a service with a published port
// and a healthcheck starts the new container beside the old one, waits until it is healthy,
// switches the port, and only then removes the old one. A client hammering the port through
// the whole `up` sees no failed request, and ps, exec, logs and DNS follow the new container.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  httpGet,
  importTestImage,
  makeStackEnv,
  sleeperService,
  stack,
  TEST_IMAGE,
  uniqueProject,
  type Result,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors, startStack, waitFor } from '../support/processes.js';
import { underLoad } from '../support/http-load.js';
import { lookup, ps as psOf, type PsRow } from '../support/stack-containers.js';

let env: StackEnv;
let file: string;
let project: string;
let port: number;
const before = snapshotHostObjects();

const stackFile = (version: string, check = '["CMD", "wget", "-q", "-O-", "http://127.0.0.1/"]') => `name: ${project}
services:
  web:
    image: ${TEST_IMAGE}
    environment: { VERSION: ${version} }
    command: ["sh", "-c", "echo serving $$VERSION; mkdir -p /tmp/www; echo $$VERSION > /tmp/www/index.html; exec httpd -f -p 80 -h /tmp/www"]
    ports: ["127.0.0.1:${port}:80"]
    stop_grace_period: 0s
    healthcheck:
      test: ${check}
      interval: 1s
      retries: 1
      start_period: 10s
      start_interval: 100ms
  client:
${sleeperService()}`;

/** Applies `version` with `up -d` while a client requests the page back to back; every answer, failures as `error: …`. */
function applyUnderLoad(version: string, check?: string): Promise<{ up: Result; answers: string[] }> {
  fs.writeFileSync(file, stackFile(version, check));
  return underLoad(env, ['-f', file, 'up', '-d'], port);
}

const ps = (): PsRow[] => psOf(env, file);
const web = () => ps().find((r) => r.service === 'web')!;

beforeAll(async () => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('trepl');
  port = await freePort();
  file = path.join(env.root, 'stack.yaml');
  fs.writeFileSync(file, stackFile('v1'));
  const up = stack(env, ['-f', file, 'up', '-d', '--wait']);
  expect(up.code, up.stderr).toBe(0);
  expect(await httpGet(`http://127.0.0.1:${port}/`)).toBe('v1\n');
});

afterAll(async () => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  await killSupervisors(project);
  env.dispose();
});

describe('replacing a container beside the old one', () => {
  it('an edit serves every request, old page until the new container is healthy, then the new one', async () => {
    const old = web();
    const { up, answers } = await applyUnderLoad('v2');
    expect(up.code, up.stderr).toBe(0);
    expect(answers.filter((a) => a.startsWith('error'))).toEqual([]);
    expect(answers.length).toBeGreaterThan(5);
    // Old answers first, then only new ones: the switch happens once.
    const firstNew = answers.indexOf('v2');
    expect(firstNew).toBeGreaterThanOrEqual(0);
    expect(answers.slice(firstNew).every((a) => a === 'v2')).toBe(true);
    // The old container is gone; ps shows the slot's name for the new one, healthy.
    const now = web();
    expect(now.name).toBe(`${project}-web-1`);
    expect(now.pid).not.toBe(old.pid);
    expect(fs.existsSync(`/proc/${old.pid}`)).toBe(false);
    expect(ps().filter((r) => r.service === 'web')).toHaveLength(1);
    expect(now.health).toBe('healthy');
  });

  it('exec, logs and DNS follow the new container', () => {
    const exec = stack(env, ['-f', file, 'exec', 'web', 'cat', '/tmp/www/index.html']);
    expect(exec.code, exec.stderr).toBe(0);
    expect(exec.stdout).toBe('v2\n');
    expect(stack(env, ['-f', file, 'logs', 'web']).stdout).toContain('serving v2');
    const client = ps().find((r) => r.service === 'client')!;
    const ip = web().addresses[0]!.ip;
    expect(lookup(client.pid!, 'web')).toEqual([ip]);
    expect(lookup(client.pid!, `${project}-web-1`)).toEqual([ip]);
  });

  it('the next edit replaces it the same way, back under the slot name', async () => {
    const { up, answers } = await applyUnderLoad('v3');
    expect(up.code, up.stderr).toBe(0);
    expect(answers.filter((a) => a.startsWith('error'))).toEqual([]);
    expect(answers.at(-1)).toBe('v3');
    const rows = ps();
    expect(rows.filter((r) => r.service === 'web').map((r) => [r.name, r.instance])).toEqual([
      [`${project}-web-1`, `${project}-web-1`],
    ]);
  });

  it('a replacement that never gets healthy leaves the old container serving, also through the next up', async () => {
    const old = web();
    const ip = old.addresses[0]!.ip;
    const { up, answers } = await applyUnderLoad('v4', '["CMD", "false"]');
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(new RegExp(`${project}-web-1\\.b is unhealthy`));
    expect(answers.filter((a) => a !== 'v3')).toEqual([]);
    // The same file again: the replacement is waited for again, and the old one stays.
    const again = await applyUnderLoad('v4', '["CMD", "false"]');
    expect(again.up.code).toBe(1);
    expect(again.answers.filter((a) => a !== 'v3')).toEqual([]);
    expect(ps().find((r) => r.instance === old.instance)?.pid).toBe(old.pid);
    const client = ps().find((r) => r.service === 'client')!;
    expect(lookup(client.pid, 'web')).toEqual([ip]);
    // A fixed file replaces the broken replacement and then the old container, serving throughout.
    const fixed = await applyUnderLoad('v5');
    expect(fixed.up.code, fixed.up.stderr).toBe(0);
    expect(fixed.answers.filter((a) => a !== 'v3' && a !== 'v5')).toEqual([]);
    expect(fixed.answers.at(-1)).toBe('v5');
    expect(ps().filter((r) => r.service === 'web')).toHaveLength(1);
  });

  it("logs -f goes on with the replacement's output", async () => {
    const follower = startStack(env, ['-f', file, 'logs', '-f', 'web']);
    let out = '';
    follower.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(() => out.includes('serving v5'), 10_000, "the current container's log");
    const { up } = await applyUnderLoad('v6');
    expect(up.code, up.stderr).toBe(0);
    await waitFor(() => out.includes('serving v6'), 10_000, "the replacement's log");
    follower.child.kill('SIGINT');
    await follower.result;
  });

  it('down leaves nothing behind', () => {
    expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root])).toEqual({});
  });
});
