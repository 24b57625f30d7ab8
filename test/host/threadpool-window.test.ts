// Container spawns with their namespace window on a threadpool thread
// (executor/host/linux/threadpool-window.ts): the same window as on the main thread, one C
// call (dist/libstack-window.so) made through koffi's async calls. A child process plays the
// supervisor, with the build's modules and library: each child comes
// up in new namespaces (PID 1 of its own, a network namespace not the host's) or in the
// host's when chosen, is reaped by the main thread (also when it exits before the pid is
// known there: no SIGCHLD comes after), a missing binary and a failed join fail as on the
// main thread, and the threads stay in the
// host's namespaces.

import { expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../support/stack-cli.js';

const dist = (file: string) => JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux', file));

const script = `
import fs from 'node:fs';
import { spawnContainerProcess } from ${dist('threadpool-window.js')};
import { spawnInNewNamespaces } from ${dist('namespace-window.js')};
const hostNet = fs.readlinkSync('/proc/self/ns/net');
// Each exits at once, most likely before its pid is known on this thread (the answer comes
// back through the event loop), with no other child's SIGCHLD to come after: each must be
// reaped all the same, not at the next one or the 10-s sweep.
const quick = [];
for (let i = 0; i < 5; i++) {
  const child = await spawnContainerProcess('/bin/true', [], { stdio: ['ignore'], env: {} }, { net: 'host', pid: 'host' });
  quick.push(await Promise.race([child.exited, new Promise((r) => setTimeout(() => r('not reaped'), 1000))]));
}
const output = (child) => new Promise((resolve) => {
  let text = '';
  child.pipes[3].setEncoding('utf8');
  child.pipes[3].on('data', (c) => (text += c));
  child.pipes[3].on('close', () => resolve(text));
});
const sh = (cmd, choices) => spawnContainerProcess('/bin/sh', ['-c', cmd], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin' }, detached: true }, choices);
const own = await sh('echo $$ $(readlink /proc/self/ns/net) >&3; exit 7');
const hosted = await sh('readlink /proc/self/ns/net >&3', { net: 'host' });
const [ownOut, hostedOut] = await Promise.all([output(own), output(hosted)]);
let missing;
try {
  await spawnContainerProcess('/stk-no-such-command', [], { stdio: ['ignore'], env: {} });
} catch (err) {
  missing = { name: err.name, code: err.code, message: err.message };
}
// A join that fails (no such fd) fails as on the calling thread, the window closed all the same.
const joinError = async (spawn) => {
  try {
    await spawn('/bin/true', [], { stdio: [], env: {} }, { net: { join: 987654 } });
  } catch (err) {
    return { name: err.name, code: err.code, message: err.message };
  }
};
const joins = [await joinError(spawnContainerProcess), await joinError(spawnInNewNamespaces)];
// Every thread, the threadpool's among them, is back in the host's namespaces and root.
const threads = fs.readdirSync('/proc/self/task').flatMap((tid) =>
  ['net', 'mnt', 'pid_for_children', 'uts', 'ipc'].map((ns) => fs.readlinkSync('/proc/self/task/' + tid + '/ns/' + ns) === fs.readlinkSync('/proc/self/ns/' + ns))
    .concat([fs.readlinkSync('/proc/self/task/' + tid + '/root') === '/']));
process.stdout.write(JSON.stringify({
  own: { exit: await own.exited, out: ownOut.trim().split(' '), hostNet },
  hosted: { exit: await hosted.exited, net: hostedOut.trim() },
  quick,
  missing,
  joins,
  threadsOnHost: threads.every((same) => same),
}));
`;

it('spawns in new namespaces on a threadpool thread, as on the main thread', () => {
  expect(fs.existsSync(path.join(repoRoot, 'dist/libstack-window.so'))).toBe(true);
  const out = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 8000 }),
  );
  expect(out.own.exit).toBe(7);
  expect(out.own.out[0]).toBe('1');
  expect(out.own.out[1]).not.toBe(out.own.hostNet);
  expect(out.hosted).toEqual({ exit: 0, net: out.own.hostNet });
  expect(out.quick).toEqual([0, 0, 0, 0, 0]);
  expect(out.missing).toEqual({
    name: 'SpawnFailedError',
    code: 'ENOENT',
    message: 'spawn /stk-no-such-command ENOENT',
  });
  expect(out.joins[0]).toEqual(out.joins[1]);
  expect(out.joins[0]).toMatchObject({ name: 'SyscallError', code: 'EBADF' });
  expect(out.threadsOnHost).toBe(true);
});

// Nothing but the child's own stdio crosses: not an fd this process has without close-on-exec
// (the secret file, at fd 30 as a careless parent would leave it), nor the window's namespace,
// root and cwd fds, nor another window's fds made meanwhile (five spawns at once).
const fdsScript = `
import fs from 'node:fs';
import { dup2 } from ${dist('libc.js')};
import { spawnContainerProcess } from ${dist('threadpool-window.js')};
dup2(fs.openSync(process.env.STK_SECRET, 'r'), 30);
const targets = async () => {
  const child = await spawnContainerProcess('/bin/sh', ['-c', 'ls -l /proc/self/fd/ >&3'], { stdio: ['ignore', 'ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin' }, detached: true });
  let text = '';
  child.pipes[3].setEncoding('utf8');
  child.pipes[3].on('data', (c) => (text += c));
  await new Promise((r) => child.pipes[3].on('close', r));
  await child.exited;
  return text.trim().split('\\n').slice(1).map((l) => l.replace(/^.* (\\d+) -> /, '$1 '));
};
process.stdout.write(JSON.stringify(await Promise.all([targets(), targets(), targets(), targets(), targets()])));
`;

it('passes a child nothing but its stdio, five windows at once', () => {
  const dir = fs.mkdtempSync('/tmp/stk-window-fds-');
  fs.writeFileSync(path.join(dir, 'secret'), 'x');
  try {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', fdsScript], {
      encoding: 'utf8',
      timeout: 8000,
      env: { ...process.env, STK_SECRET: path.join(dir, 'secret') },
    });
    // ls's own: 0-2 (/dev/null), 3 (the pipe), and the directory it reads.
    for (const fds of JSON.parse(out) as string[][])
      expect(fds.map((l) => l.split(' ')[0])).toEqual(['0', '1', '2', '3', fds[4]!.split(' ')[0]]);
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
});
