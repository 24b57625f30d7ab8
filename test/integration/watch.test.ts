// Watch on the real kernel: `stack watch` on a running stack applies a valid edit,
// recreating only the edited service (the other pids stay), ignores an invalid edit
// (diagnostics, the stack untouched), and applies the next valid one. `up --watch`
// (attached) applies edits too and takes the stack down at Ctrl-C. Edits of `.env` and an
// override file created while watching count as edits of the stack.

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
  writeStackFile,
} from '../support/stack-cli.js';
import { newObjects, objectsNaming, snapshotHostObjects } from '../support/host-objects.js';
import { killSupervisors, startStack, waitFor, type Running } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

let env: StackEnv;
let project: string;
const before = snapshotHostObjects();

interface Row {
  service: string;
  pid?: number;
  state: string;
}
// By project: while the file is invalid, `-f FILE` cannot name the project.
const ps = (_file: string): Row[] =>
  psJson(stack(env, ['-p', project, 'ps', '-a', '--format', 'json']).stdout) as Row[];
const pids = (file: string) => Object.fromEntries(ps(file).map((r) => [r.service, r.pid]));

const services = (mode: string) => `  a:
    image: ${TEST_IMAGE}
    command: sleep 100000
    environment: { MODE: ${mode} }
  b:
    image: ${TEST_IMAGE}
    command: sleep 100000
  c:
    image: ${TEST_IMAGE}
    command: sleep 100000
`;

/** Waits until the watcher has printed `text` `count` times in all. */
const printed = (w: Running, text: string, count = 1) =>
  waitFor(() => w.stderr().split(text).length - 1 >= count, 20_000, `"${text}" x${count}`);

beforeAll(() => {
  env = makeStackEnv();
  env.env.STACK_WATCH_QUIET_MS = '50';
  importTestImage(env);
  project = uniqueProject('twatch');
});

afterAll(async () => {
  stack(env, ['-p', project, 'down', '-t', '0']);
  await killSupervisors(project);
  env.dispose();
});

describe('watch', () => {
  it('stack watch: a valid edit recreates only that service, an invalid one changes nothing, the next valid one applies', async () => {
    const file = writeStackFile(env, project, services('one'));
    expect(stack(env, ['-f', file, 'up', '-d']).code).toBe(0);
    const first = pids(file);
    const w = startStack(env, ['-f', file, 'watch']);
    await printed(w, 'watch: watching');

    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('MODE: one', 'MODE: two'));
    await printed(w, 'watch: applied');
    // Replaced beside the old container (planner/plan/plan-instances.ts), under the slot's other name.
    expect(w.stderr()).toMatch(new RegExp(`start:${project}-a-1\\.b  container.start ${project}-a-1\\.b`));
    const second = pids(file);
    expect(second.a).not.toBe(first.a);
    expect({ b: second.b, c: second.c }).toEqual({ b: first.b, c: first.c });

    fs.writeFileSync(
      file,
      fs
        .readFileSync(file, 'utf8')
        .replace('command: sleep 100000\n    environment', 'comand: sleep 100000\n    environment'),
    );
    await printed(w, 'the running stack is unchanged');
    expect(w.stderr()).toMatch(/stack\.yaml:\d+:\d+: unknown key "comand"/);
    expect(pids(file)).toEqual(second);

    fs.writeFileSync(file, `name: ${project}\nservices:\n${services('three')}`);
    await printed(w, 'watch: applied', 2);
    const third = pids(file);
    expect(third.a).not.toBe(second.a);
    expect({ b: third.b, c: third.c }).toEqual({ b: first.b, c: first.c });

    w.child.kill('SIGINT');
    expect((await w.result).code).toBe(130);
    expect(ps(file).every((r) => r.state === 'running')).toBe(true);
    expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
  });

  it('up --watch applies edits, follows the output of services an edit adds, and stops the stack at Ctrl-C', async () => {
    const file = writeStackFile(env, project, services('one'));
    const w = startStack(env, ['-f', file, 'up', '--watch']);
    let stdout = '';
    w.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    await printed(w, 'watch: watching');
    const first = pids(file);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('MODE: one', 'MODE: two'));
    await printed(w, 'watch: applied');
    expect(pids(file).a).not.toBe(first.a);
    fs.appendFileSync(
      file,
      `  late:\n    image: ${TEST_IMAGE}\n    command: ["sh", "-c", "echo hello from late; sleep 100000"]\n`,
    );
    await printed(w, 'watch: applied', 2);
    await waitFor(() => /late +\| hello from late/.test(stdout), 10_000, "the added service's output");
    w.child.kill('SIGINT');
    expect((await w.result).code).toBe(130);
    // Stopped and kept, as docker compose's Ctrl-C leaves them; down removes them.
    expect(ps(file).map((r) => r.state)).toEqual(['exited', 'exited', 'exited', 'exited']);
    expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
    expect(objectsNaming(newObjects(before, snapshotHostObjects()), [project, env.root])).toEqual({});
  });

  it('up --watch --no-build: an edit that adds a service to build is refused, as up --no-build refuses it; nothing is built', async () => {
    const file = writeStackFile(env, project, services('one'));
    const w = startStack(env, ['-f', file, 'up', '-d', '--watch', '--no-build']);
    await printed(w, 'watch: watching');
    fs.mkdirSync(path.join(env.root, 'late'), { recursive: true });
    fs.writeFileSync(path.join(env.root, 'late', 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo built > /built\n`);
    fs.appendFileSync(file, `  late:\n    build: ./late\n    command: sleep 100000\n`);
    await printed(w, 'watch: the edit could not be applied');
    expect(w.stderr()).toContain(
      `service late: image docker.io/library/${project}-late:latest is not in the local store and --no-build was given`,
    );
    expect(ps(file).map((r) => r.service)).not.toContain('late');
    w.child.kill('SIGINT');
    expect((await w.result).code).toBe(130);
    expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
  });

  it('follows .env edits and an override file that appears after it started (discovered files, no -f)', async () => {
    writeStackFile(env, project, services('"${WATCH_TEST_MODE:-one}"'));
    const dotenv = path.join(env.root, '.env');
    const override = path.join(env.root, 'stack.override.yaml');
    try {
      expect(stack(env, ['up', '-d']).code).toBe(0);
      const first = pids('');
      const w = startStack(env, ['watch']);
      await printed(w, 'watch: watching');

      // (not MODE: vitest sets that, and the process environment wins over .env)
      fs.writeFileSync(dotenv, 'WATCH_TEST_MODE=two\n');
      await printed(w, 'watch: applied');
      const second = pids('');
      expect(second.a).not.toBe(first.a);
      expect({ b: second.b, c: second.c }).toEqual({ b: first.b, c: first.c });

      fs.writeFileSync(override, 'services:\n  b:\n    environment: { EXTRA: "1" }\n');
      await printed(w, 'watch: applied', 2);
      const third = pids('');
      expect(third.b).not.toBe(second.b);
      expect({ a: third.a, c: third.c }).toEqual({ a: second.a, c: second.c });

      w.child.kill('SIGINT');
      expect((await w.result).code).toBe(130);
    } finally {
      expect(stack(env, ['down', '-t', '0']).code).toBe(0);
      fs.rmSync(dotenv, { force: true });
      fs.rmSync(override, { force: true });
    }
  });

  it('follows the files the stack file pulls in: env_file, extends and include', async () => {
    const dir = fs.mkdtempSync(path.join(env.root, 'pulled-'));
    const file = path.join(dir, 'stack.yaml');
    const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
    write('app.env', 'LEVEL=1\n');
    write(
      'base.yaml',
      `services:\n  base:\n    image: ${TEST_IMAGE}\n    command: sleep 100000\n    environment: { FROM_BASE: "1" }\n`,
    );
    write(
      'more.yaml',
      `services:\n  c:\n    image: ${TEST_IMAGE}\n    command: sleep 100000\n    environment: { INCLUDED: "1" }\n`,
    );
    fs.writeFileSync(
      file,
      `name: ${project}
include: [more.yaml]
services:
  a:
    image: ${TEST_IMAGE}
    command: sleep 100000
    env_file: app.env
  b:
    extends: { file: base.yaml, service: base }
`,
    );
    try {
      expect(stack(env, ['-f', file, 'up', '-d']).code).toBe(0);
      const w = startStack(env, ['-f', file, 'watch']);
      await printed(w, 'watch: watching');
      // Each edit recreates exactly the service whose pulled-in file changed.
      const edits: [string, string, string][] = [
        ['app.env', 'LEVEL=2\n', 'a'],
        [
          'base.yaml',
          fs.readFileSync(path.join(dir, 'base.yaml'), 'utf8').replace('FROM_BASE: "1"', 'FROM_BASE: "2"'),
          'b',
        ],
        [
          'more.yaml',
          fs.readFileSync(path.join(dir, 'more.yaml'), 'utf8').replace('INCLUDED: "1"', 'INCLUDED: "2"'),
          'c',
        ],
      ];
      for (const [i, [name, text, service]] of edits.entries()) {
        const before = pids(file);
        write(name, text);
        await printed(w, 'watch: applied', i + 1);
        const after = pids(file);
        for (const s of ['a', 'b', 'c']) expect(after[s] === before[s], `${name} → ${s}`).toBe(s !== service);
      }
      w.child.kill('SIGINT');
      expect((await w.result).code).toBe(130);
    } finally {
      expect(stack(env, ['-f', file, 'down', '-t', '0']).code).toBe(0);
    }
  });
});
