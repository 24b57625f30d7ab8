// Privileged, real engine: the network builds keep from one build to the next is a stack of
// its own (`stkbnet-<root>-<n>`, executor/kept-build-network.ts), as each build is while it
// runs (`stkbuild-<id>`). They are stack's machinery, not the user's stacks: `stack ls`
// (with --all too) does not list them, as `docker compose ls` lists no BuildKit internals,
// and `stack boot` after a reboot leaves them alone (the next build makes its network again
// over what is there) rather than starting a supervisor that brings back an idle bridge.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bridgeName } from '../../model/names.js';
import {
  importTestImage,
  makeStackEnv,
  repoRoot,
  stack,
  TEST_IMAGE,
  uniqueProject,
  writeStackFile,
  type StackEnv,
} from '../support/stack-cli.js';
import { supervisorPids, waitFor } from '../support/processes.js';
import { simulateReboot } from '../support/reboot.js';

let env: StackEnv;
let file: string;
let project: string;

const run = (...args: string[]) => stack(env, ['-f', file, ...args]);
const stacksDir = () => path.join(env.env.STACK_ROOT!, 'stacks');
const keptNetworks = () => fs.readdirSync(stacksDir()).filter((n) => n.startsWith('stkbnet-'));
const listed = (...flags: string[]) => {
  const r = stack(env, ['ls', ...flags, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { Name: string }[]).map((l) => l.Name);
};

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  project = uniqueProject('tbnet');
  fs.mkdirSync(path.join(env.root, 'web'));
  fs.writeFileSync(path.join(env.root, 'web', 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo built > /built\n`);
  file = writeStackFile(env, project, `  web:\n    build: ./web\n    command: sleep 1000\n    stop_grace_period: 0s\n`);
});

afterAll(() => {
  run('down', '-t', '0');
  env.dispose();
});

describe("the kept build network's stack", () => {
  it('is kept after a build with a RUN step', () => {
    const r = run('build');
    expect(r.code, r.stderr).toBe(0);
    expect(keptNetworks()).toHaveLength(1);
  });

  it('is not listed by `stack ls`, with or without --all; the user stack is', () => {
    expect(run('up', '-d').code).toBe(0);
    expect(listed()).toEqual([project]);
    expect(listed('--all')).toEqual([project]);
    expect(stack(env, ['ls', '--all', '-q']).stdout).toBe(`${project}\n`);
  });

  it("is not listed, nor is a build's own stack while its RUN step's container runs", async () => {
    fs.writeFileSync(
      path.join(env.root, 'web', 'Dockerfile'),
      `FROM ${TEST_IMAGE}\nRUN sleep 3 && echo slow > /built\n`,
    );
    const building = spawn(path.join(repoRoot, 'bin/stack'), ['-f', file, 'build'], { env: env.env, stdio: 'ignore' });
    const ended = new Promise<number | null>((resolve) => building.on('exit', resolve));
    const stepRuns = () =>
      fs
        .readdirSync(stacksDir())
        .filter((n) => n.startsWith('stkbuild-'))
        .some((n) => fs.readdirSync(path.join(stacksDir(), n, 'state', 'containers'), { recursive: false }).length > 0);
    try {
      await waitFor(
        () => {
          try {
            return stepRuns();
          } catch {
            return false; // its folders are being made
          }
        },
        20_000,
        "the build's RUN step to start",
      );
      expect(listed()).toEqual([project]);
      expect(listed('--all')).toEqual([project]);
    } finally {
      expect(await ended).toBe(0); // the build's end, whatever the listing said
    }
  });

  it('is left alone by `stack boot` after a reboot, and the next build makes its network again', async () => {
    const [kept] = keptNetworks();
    await simulateReboot(env, project);
    await simulateReboot(env, kept!);
    const bridge = bridgeName(kept!, 'build');
    expect(fs.existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    const booted = stack(env, ['boot']);
    expect(booted.code, booted.stderr).toBe(0);
    expect(booted.stderr).not.toContain(kept!);
    expect(supervisorPids(kept!)).toEqual([]);
    expect(fs.existsSync(`/sys/class/net/${bridge}`)).toBe(false);
    // Named, it is not an error: there is nothing of a user's to bring back.
    const named = stack(env, ['boot', '-p', kept!]);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).toContain('build');
    expect(supervisorPids(kept!)).toEqual([]);
    // The next build takes the same kept network and makes its bridge again.
    fs.writeFileSync(path.join(env.root, 'web', 'Dockerfile'), `FROM ${TEST_IMAGE}\nRUN echo again > /built\n`);
    const rebuilt = run('build');
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(keptNetworks()).toEqual([kept]);
  });
});
