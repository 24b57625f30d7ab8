// `stack ls` lists every stack on the host as docker compose ls does: running ones by default,
// all with -a, compose's status counts and field names, filters and -q.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService,
  stack,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors } from '../support/processes.js';

let env: StackEnv;
const before = snapshotHostObjects();
const a = uniqueProject('tlsa');
const b = uniqueProject('tlsb');
const files: Record<string, string> = {};

function up(project: string, services: string[]): void {
  const file = path.join(env.root, `${project}.yaml`);
  fs.writeFileSync(
    file,
    `name: ${project}\nservices:\n${services.map((s) => `  ${s}:\n${sleeperService()}`).join('')}`,
  );
  files[project] = file;
  const r = stack(env, ['-f', file, 'up', '-d']);
  expect(r.code, r.stderr).toBe(0);
}

/** Only this test's stacks: other test files may run stacks under their own STACK_ROOT, never ours, but be safe. */
const ours = (rows: { Name: string }[]) => rows.filter((r) => r.Name === a || r.Name === b);

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  up(a, ['one', 'two', 'three']);
  up(b, ['solo']);
  const stopped = stack(env, ['-f', files[b]!, 'stop']);
  expect(stopped.code, stopped.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const p of [a, b]) {
    stack(env, ['-p', p, 'down', '-t', '0']);
    await killSupervisors(p);
  }
  expect(objectsNaming(newObjects(before, snapshotHostObjects()), [env.root, a, b])).toEqual({});
  env.dispose();
});

describe('stack ls', () => {
  it('lists the stacks with a running container, their running count and config files', () => {
    const r = stack(env, ['ls']);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+CONFIG FILES$/);
    expect(lines.slice(1)).toEqual([expect.stringMatching(new RegExp(`^${a}\\s+running\\(3\\)\\s+${files[a]}$`))]);
  });

  it('-a also lists a stack whose containers are all stopped', () => {
    const r = stack(env, ['ls', '-a', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(ours(JSON.parse(r.stdout) as { Name: string }[])).toEqual([
      { Name: a, Status: 'running(3)', ConfigFiles: files[a] },
      { Name: b, Status: 'exited(1)', ConfigFiles: files[b] },
    ]);
  });

  it('--format json parses with the field names a script for docker compose reads', () => {
    // What a script written for `docker compose ls --format json` does: the running projects' files.
    const listed = JSON.parse(stack(env, ['ls', '--format', 'json']).stdout) as {
      Name: string;
      Status: string;
      ConfigFiles: string;
    }[];
    const running = listed.filter((p) => p.Status.startsWith('running')).map((p) => `${p.Name} ${p.ConfigFiles}`);
    expect(running).toEqual([`${a} ${files[a]}`]);
  });

  it('-q prints the names only; --filter name= matches as a regular expression', () => {
    expect(stack(env, ['ls', '-a', '-q']).stdout).toBe(`${a}\n${b}\n`);
    expect(stack(env, ['ls', '-a', '-q', '--filter', `name=^${b.slice(0, 4)}`]).stdout).toBe(`${b}\n`);
    expect(stack(env, ['ls', '-a', '-q', '--filter', 'name=nomatch']).stdout).toBe('');
  });

  it('refuses a filter other than name and an unknown format, exit 2', () => {
    expect(stack(env, ['ls', '--filter', 'status=running'])).toMatchObject({ code: 2, stdout: '' });
    expect(stack(env, ['ls', '--format', 'yaml'])).toMatchObject({ code: 2, stdout: '' });
  });

  it('lists nothing once the stacks are down', () => {
    stack(env, ['-p', b, 'down', '-t', '0']);
    expect(stack(env, ['ls', '-a', '-q']).stdout).toBe(`${a}\n`);
  });
});
