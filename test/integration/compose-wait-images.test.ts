// `stack wait` and `stack images` on the real kernel, as docker compose's: wait blocks until
// the containers stop and exits with the last one's code (--down-project takes the stack
// down at the first stop); images lists each container's image with compose's fields.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, stack, TEST_IMAGE } from '../support/stack-cli.js';
import { waitFor } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { psJson } from '../support/ps-json.js';

const stacks = stacksUnderTest('twait');
const env = () => stacks.env();
const up = (services: string) => stacks.up(services);

/** A service whose shell exits with `code` once /tmp/go exists in it (the test says when). */
const exitsWhenTold = (code: number) => `    image: ${TEST_IMAGE}
    command: ["sh", "-c", "until [ -e /tmp/go ]; do sleep 0.02; done; exit ${code}"]
    stop_grace_period: 0s
`;
const SLEEPER = `    image: ${TEST_IMAGE}\n    command: sleep 1000\n    stop_grace_period: 0s\n`;

const pidOf = (f: string[], service: string): number =>
  (psJson(stack(env(), [...f, 'ps', '-a', '--format', 'json']).stdout) as { service: string; pid: number }[]).find(
    (r) => r.service === service,
  )!.pid;
/** Lets the service's shell exit: /tmp/go in its root, made from the host. */
const tell = (pid: number) => fs.writeFileSync(`/proc/${pid}/root/tmp/go`, '');

/** `stack wait` in the background: it blocks until the containers stop. */
function waitInBackground(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(path.join(repoRoot, 'bin/stack'), args, { env: env().env, cwd: env().root });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout }));
  });
}

describe('stack wait', () => {
  it('blocks until every named container stops and exits with the last one’s code', async () => {
    const { f } = up(`  a:\n${exitsWhenTold(3)}  b:\n${exitsWhenTold(5)}  keep:\n${SLEEPER}`);
    const [a, b] = [pidOf(f, 'a'), pidOf(f, 'b')];
    const waiting = waitInBackground([...f, 'wait', 'a', 'b']);
    tell(a);
    // Only after a's stop is printed does b stop: the order, and so the code, are known.
    const state = (service: string) =>
      (
        psJson(stack(env(), [...f, 'ps', '-a', '--format', 'json']).stdout) as { service: string; state: string }[]
      ).find((r) => r.service === service)?.state;
    await waitFor(() => state('a') === 'exited', 20_000, 'a to stop');
    tell(b);
    const r = await waiting;
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(
      /^container "twait\w+-a-1" exited with status code 3\ncontainer "twait\w+-b-1" exited with status code 5\n$/,
    );
    // A container that already stopped answers at once with its code, as docker's wait does.
    expect(stack(env(), [...f, 'wait', 'a'])).toMatchObject({ code: 3 });
    expect(stack(env(), [...f, 'wait', 'nope']).code).toBe(1);
  });

  it('--down-project takes the stack down at the first stop, with its code', async () => {
    const { f, project } = up(`  a:\n${exitsWhenTold(7)}  keep:\n${SLEEPER}`);
    const waiting = waitInBackground([...f, 'wait', '--down-project']);
    tell(pidOf(f, 'a'));
    const r = await waiting;
    expect(r.code).toBe(7);
    expect(fs.existsSync(path.join(env().env.STACK_ROOT!, 'stacks', project))).toBe(false);
  });
});

describe('stack scale', () => {
  it('sets the replicas of the services named, up and down, and leaves the others', () => {
    const { f, project } = up(`  one:\n${SLEEPER}  two:\n${SLEEPER}`);
    const names = () =>
      (psJson(stack(env(), [...f, 'ps', '-a', '--format', 'json']).stdout) as { name: string }[]).map((r) => r.name);
    const more = stack(env(), [...f, 'scale', 'two=3']);
    expect(more.code, more.stderr).toBe(0);
    expect(names().sort()).toEqual([`${project}-one-1`, `${project}-two-1`, `${project}-two-2`, `${project}-two-3`]);
    expect(stack(env(), [...f, 'scale', 'two=1', 'one=0']).code).toBe(0);
    expect(names()).toEqual([`${project}-two-1`]);
    const bad = stack(env(), [...f, 'scale', 'two']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('scale takes SERVICE=REPLICAS');
  });
});

describe('stack images', () => {
  it("lists each container's image with compose's columns, json fields and -q", () => {
    const { f, project } = up(`  one:\n${SLEEPER}  two:\n${SLEEPER}`);
    const table = stack(env(), [...f, 'images']);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CONTAINER\s+REPOSITORY\s+TAG\s+IMAGE ID\s+SIZE$/);
    expect(lines[1]).toMatch(
      new RegExp(`^${project}-one-1\\s+stack.local/busybox\\s+latest\\s+[0-9a-f]{12}\\s+[\\d.]+[kM]B$`),
    );
    const json = JSON.parse(stack(env(), [...f, 'images', '--format', 'json']).stdout) as Record<string, unknown>[];
    expect(json.map((i) => i.ContainerName)).toEqual([`${project}-one-1`, `${project}-two-1`]);
    expect(json[0]).toEqual({
      ID: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      ContainerName: `${project}-one-1`,
      Repository: 'stack.local/busybox',
      Tag: 'latest',
      Size: expect.any(Number),
    });
    expect(json[0]!.Size).toBeGreaterThan(100_000); // busybox's binary
    const quiet = stack(env(), [...f, 'images', '-q']).stdout;
    expect(quiet).toBe(`${(json[0]!.ID as string).slice(7, 19)}\n`); // one image, once
    expect(stack(env(), [...f, 'images', 'two', '--format', 'json']).stdout).not.toContain('-one-1');
  });
});
