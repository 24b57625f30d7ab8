// develop.watch on the real kernel, the sync family: `stack watch` copies edited sources
// into the running container (initial_sync first), leaves out what `ignore` and the build
// context's .dockerignore name and what `include` does not, removes what was removed,
// coalesces a burst of 2,000 edits into one sync, restarts for restart and sync+restart,
// and runs the command of sync+exec.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stack, TEST_IMAGE, writeStackFile } from '../support/stack-cli.js';
import { oneStackUnderTest } from '../support/one-stack-under-test.js';
import { startStack, waitFor, type Running } from '../support/processes.js';
import { psJson } from '../support/ps-json.js';

const one = oneStackUnderTest('twdev');
let w: Running;
let dir: string;

interface Row {
  service: string;
  pid?: number;
}
const pidOf = (service: string) =>
  psJson<Row>(stack(one.env, ['-p', one.project, 'ps', '--format', 'json']).stdout).find((r) => r.service === service)!
    .pid!;
const inBox = (service: string, p: string) => `/proc/${pidOf(service)}/root${p}`;
const readInBox = (service: string, p: string) => fs.readFileSync(inBox(service, p), 'utf8');
// Sources under their own folder: the env's root also holds STACK_ROOT (lib/) and STACK_RUN.
const src = (...p: string[]) => path.join(dir, 'srcs', ...p);
const write = (rel: string, text: string) => {
  fs.mkdirSync(path.dirname(src(rel)), { recursive: true });
  fs.writeFileSync(src(rel), text);
};
const count = (text: string) => w.stderr().split(text).length - 1;
const printed = (text: string, times = 1) =>
  waitFor(() => count(text) >= times, 120_000, `"${text}" x${times} in:\n${w.stderr()}`);
const shows = (service: string, p: string, text: string) =>
  waitFor(
    () => fs.existsSync(inBox(service, p)) && readInBox(service, p) === text,
    120_000,
    `${service}:${p} = ${text}`,
  );

const BURST = 2000;

beforeAll(async () => {
  dir = one.env.root;
  write('web/index.html', 'one');
  write('web/note.tmp', 'ignored by the rule');
  write('web/secret.key', 'ignored by .dockerignore');
  write('web/.dockerignore', '*.key\n');
  write('web/Dockerfile', `FROM ${TEST_IMAGE}\n`);
  for (let i = 0; i < BURST; i++) write(`web/many/f${i}`, 'old');
  write('lib/a.js', 'a1');
  write('lib/a.css', 'css');
  write('rs/conf', 'c1');
  write('ex/x', 'x1');
  write('rr/trigger', 't1');
  writeStackFile(
    one.env,
    one.project,
    `  web:
    build: ./srcs/web
    image: ${TEST_IMAGE}
    pull_policy: never
    command: sleep 100000
    user: "1000:1000"
    develop:
      watch:
        - { path: ./srcs/web, action: sync, target: /www, ignore: ["*.tmp"], initial_sync: true }
        - { path: ./srcs/lib, action: sync, target: /lib, include: ["*.js"] }
  rs:
    image: ${TEST_IMAGE}
    command: sleep 100000
    develop:
      watch:
        - { path: ./srcs/rs, action: sync+restart, target: /etc/app }
        - { path: ./srcs/rr, action: restart }
  ex:
    image: ${TEST_IMAGE}
    command: sleep 100000
    develop:
      watch:
        - path: ./srcs/ex
          action: sync+exec
          target: /app
          exec: { command: ["sh", "-c", "cat /app/x > /app/ran-$$MARK"], environment: { MARK: m } }
`,
  );
  expect(stack(one.env, ['-f', one.file, 'up', '-d', '--no-build']).code).toBe(0);
  w = startStack(one.env, ['-f', one.file, 'watch']);
  await printed('watching the sources of ex, rs, web');
}, 300_000);

afterAll(async () => {
  w?.child.kill('SIGINT');
  await w?.result;
});

describe('develop.watch: sync', () => {
  it('initial_sync copies the whole path in, owned by the container user, leaving out ignore and .dockerignore', () => {
    expect(w.stderr()).toMatch(/web: synced \d+ files \(\d+ ms\)/);
    expect(readInBox('web', '/www/index.html')).toBe('one');
    expect(readInBox('web', `/www/many/f${BURST - 1}`)).toBe('old');
    expect(fs.statSync(inBox('web', '/www/index.html')).uid).toBe(1000);
    expect(fs.existsSync(inBox('web', '/www/note.tmp'))).toBe(false);
    expect(fs.existsSync(inBox('web', '/www/secret.key'))).toBe(false);
    expect(fs.existsSync(inBox('web', '/lib/a.js'))).toBe(false); // no initial_sync on that rule
  });

  it('an edit is synced, an ignored one is not, a removal removes', async () => {
    const before = count('web: synced');
    write('web/note.tmp', 'still ignored');
    write('web/index.html', 'two');
    await shows('web', '/www/index.html', 'two');
    fs.rmSync(src('web/index.html'));
    await waitFor(() => !fs.existsSync(inBox('web', '/www/index.html')), 120_000, 'the removal');
    await printed('web: synced', before + 2);
    expect(fs.existsSync(inBox('web', '/www/note.tmp'))).toBe(false);
  });

  it('include lets only matching files in', async () => {
    write('lib/a.css', 'css2');
    write('lib/a.js', 'a2');
    await shows('web', '/lib/a.js', 'a2');
    expect(fs.existsSync(inBox('web', '/lib/a.css'))).toBe(false);
  });

  it(`a burst of ${BURST} edits coalesces into one sync, and every file arrives`, async () => {
    const before = count('web: synced');
    for (let i = 0; i < BURST; i++) fs.writeFileSync(src(`web/many/f${i}`), 'new');
    const root = inBox('web', '/www/many');
    const stale = () => [...Array(BURST).keys()].filter((i) => fs.readFileSync(`${root}/f${i}`, 'utf8') !== 'new');
    await waitFor(() => stale().length === 0, 120_000, 'every file of the burst');
    await printed('web: synced', before + 1);
    // One sync for the burst, after 500 ms of quiet once 32 edits are pending; the first
    // edits may be synced on their own (20 ms of quiet) before that many have come — once,
    // or on a busy machine whose watcher delivers them in spurts, a few times, each with
    // fewer than 32 files. So: one sync carries all but those few, and there are few syncs.
    const synced = () => [...w.stderr().matchAll(/web: synced (\d+) files?\b/g)].slice(before).map((m) => Number(m[1]));
    // A sync's line comes once it is done: wait until the lines account for every file.
    await waitFor(() => synced().reduce((a, b) => a + b, 0) >= BURST, 120_000, 'the lines of the burst syncs');
    const sizes = synced();
    expect(sizes.length, `syncs: ${sizes.join(', ')}`).toBeLessThanOrEqual(4);
    expect(Math.max(...sizes), `syncs: ${sizes.join(', ')}`).toBeGreaterThanOrEqual(BURST - 3 * 32);
  });
});

describe('develop.watch: restart, sync+restart, sync+exec', () => {
  it('sync+restart syncs, then restarts the container', async () => {
    const pid = pidOf('rs');
    write('rs/conf', 'c2');
    await printed('rs: restarted');
    expect(pidOf('rs')).not.toBe(pid);
    expect(readInBox('rs', '/etc/app/conf')).toBe('c2');
  });

  it('restart restarts without syncing', async () => {
    const pid = pidOf('rs');
    write('rr/trigger', 't2');
    await printed('rs: restarted', 2);
    expect(pidOf('rs')).not.toBe(pid);
    expect(fs.existsSync(inBox('rs', '/trigger'))).toBe(false);
  });

  it('sync+exec syncs, then runs the command in the container with its environment', async () => {
    const pid = pidOf('ex');
    write('ex/x', 'x2');
    await printed('ex: ran sh -c');
    expect(w.stderr()).toMatch(/ex: ran sh -c .*, exit 0 \(\d+ ms\)/);
    expect(readInBox('ex', '/app/ran-m')).toBe('x2');
    expect(pidOf('ex')).toBe(pid);
  });
});
