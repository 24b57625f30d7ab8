// Compose keys that used to pass validation and then be dropped (issue 18), proved on the
// real kernel from inside the containers of one stack: container_name is the name ps shows
// and the name the other containers resolve; no_new_privs is off by default as in docker
// (a setuid-root program run by a non-root user becomes root) and on with
// `security_opt: [no-new-privileges:true]` (it stays the user); `volume.subpath` mounts that
// folder of the volume only, and a subpath missing from the volume stops the start.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService as sleeper,
  stack,
  TEST_IMAGE,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { natTableName } from '../../model/names.js';
import { inside, lookup, ps, type PsRow } from '../support/stack-containers.js';
import { waitFor } from '../support/processes.js';

let env: StackEnv;
let project: string;
let file: string;
let rows: PsRow[] = [];
const before = snapshotHostObjects();
const row = (service: string) => rows.find((r) => r.service === service)!;

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tkeys');
  // A setuid-root program that says whose privileges it runs with, for a non-root user to run.
  const probe = path.join(env.root, 'probe');
  fs.mkdirSync(probe);
  fs.writeFileSync(
    path.join(probe, 'euid.c'),
    '#include <stdio.h>\n#include <unistd.h>\nint main(void) { printf("euid=%d\\n", (int)geteuid()); return 0; }\n',
  );
  execFileSync('gcc', ['-static', '-O1', '-o', path.join(probe, 'euid'), path.join(probe, 'euid.c')]);
  fs.chmodSync(path.join(probe, 'euid'), 0o4755);
  const setuidRun = (opts: string) => `    image: ${TEST_IMAGE}
    user: "65534"
    volumes: ["${probe}:/probe:ro"]
    command: ["sh", "-c", "/probe/euid; grep NoNewPrivs /proc/self/status; exec sleep 1000"]
    stop_grace_period: 0s
${opts}`;
  file = writeStackFile(
    env,
    project,
    `  named:\n${sleeper(`    container_name: ${project}-custom\n`)}  client:\n${sleeper()}` +
      `  nnpdefault:\n${setuidRun('')}  nnpon:\n${setuidRun('    security_opt: ["no-new-privileges:true"]\n')}` +
      `  nnpoff:\n${setuidRun('    security_opt: ["no-new-privileges=false"]\n')}` +
      `  seed:
    image: ${TEST_IMAGE}
    command: ["sh", "-c", "mkdir -p /v/sub && echo inner > /v/sub/marker && echo outer > /v/top && ln -s / /v/link"]
    volumes: ["data:/v"]
  sub:
${sleeper(`    depends_on: {seed: {condition: service_completed_successfully}}
    volumes: [{type: volume, source: data, target: /s, volume: {subpath: sub}}]
`)}volumes:\n  data: {}\n`,
  );
  const up = stack(env, ['-f', file, 'up', '-d']);
  if (up.code !== 0) throw new Error(up.stderr);
  rows = ps(env, file);
});

afterAll(() => {
  stack(env, ['-f', file, 'down', '-t', '0']);
  env.dispose();
});

describe('container_name', () => {
  it('is the name ps shows', () => {
    expect(row('named').name).toBe(`${project}-custom`);
    expect(row('client').name).toBe(`${project}-client-1`);
  });

  it('resolves in the other containers, to the container', () => {
    expect(lookup(row('client').pid, `${project}-custom`)).toStrictEqual([row('named').addresses[0]!.ip]);
  });

  it("is in the container's own /etc/hosts", () => {
    expect(inside(row('named').pid, ['cat', '/etc/hosts']).stdout).toContain(`${project}-custom`);
  });
});

/** What a service's command printed: its setuid probe's euid and its NoNewPrivs line. */
async function probed(service: string): Promise<string> {
  let out = '';
  await waitFor(() => (out = stack(env, ['-f', file, 'logs', service]).stdout).includes('NoNewPrivs'));
  return out
    .replace(/^.*\| ?/gm, '')
    .replace(/\s+/g, ' ')
    .trim();
}

describe('no_new_privs', () => {
  it('is off by default, as in docker: a setuid-root program makes a user root', async () => {
    expect(await probed('nnpdefault')).toBe('euid=0 NoNewPrivs: 0');
  });

  it('is on with no-new-privileges:true: the program stays the user', async () => {
    expect(await probed('nnpon')).toBe('euid=65534 NoNewPrivs: 1');
  });

  it('is off with no-new-privileges=false', async () => {
    expect(await probed('nnpoff')).toBe('euid=0 NoNewPrivs: 0');
  });
});

describe('volume subpath', () => {
  it('mounts that folder of the volume, not the volume', () => {
    expect(inside(row('sub').pid, ['ls', '-A', '/s']).stdout.trim()).toBe('marker');
    expect(inside(row('sub').pid, ['cat', '/s/marker']).stdout.trim()).toBe('inner');
  });

  // The other stack uses this one's volume (external), where seed made `link -> /`.
  it.each([
    ['nope', 'nope does not exist in the volume'],
    ['link', 'link is a symbolic link in the volume'],
  ])('%s, missing from the volume or a link in it, stops the start, naming it', (subpath, why) => {
    const other = uniqueProject('tkeysub');
    const dir = path.join(env.root, other);
    fs.mkdirSync(dir);
    const otherFile = path.join(dir, 'stack.yaml');
    fs.writeFileSync(
      otherFile,
      `name: ${other}\nservices:\n  a:\n${sleeper(`    volumes: [{type: volume, source: v, target: /s, volume: {subpath: ${subpath}}}]\n`)}volumes:\n  v: {external: true, name: ${project}_data}\n`,
    );
    try {
      const up = stack(env, ['-f', otherFile, 'up', '-d']);
      expect(up.code).not.toBe(0);
      expect(up.stderr).toContain(`subpath "${subpath}" of volume ${project}_data`);
      expect(up.stderr).toContain(why);
    } finally {
      stack(env, ['-f', otherFile, 'down', '-t', '0']);
    }
  });
});

describe('down', () => {
  it('leaves nothing of the stack behind', () => {
    expect(stack(env, ['-f', file, 'down', '-v', '-t', '0']).code).toBe(0);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, natTableName(project)])).toEqual({});
  });
});
