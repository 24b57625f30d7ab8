// The spawner every container start goes through (posix_spawn, no fork of the supervisor):
// exit codes and signals as 128 + n, a missing or non-executable binary, many children
// ending at once (SIGCHLD coalesces), fds that must not reach the child, stdio that must,
// and an event loop kept alive while a child runs. Plain processes, no namespaces.

import { afterAll, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnChild, type ChildStdio, type SpawnedChild } from '../../executor/host/linux/spawned-child.js';
import { SpawnFailedError } from '../../executor/host/linux/posix-spawn.js';
import { dup2 } from '../../executor/host/linux/libc.js';
import { repoRoot } from '../support/stack-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-spawned-child-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sh = (script: string, stdio: ChildStdio[]) =>
  spawnChild('/bin/sh', ['-c', script], { stdio, env: { PATH: '/usr/bin:/bin' } });

/** What the child wrote on the 'pipe' at `fd`. */
function output(child: SpawnedChild, fd: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const pipe = child.pipes[fd]!;
    pipe.setEncoding('utf8');
    pipe.on('data', (chunk: string) => (text += chunk));
    pipe.on('close', () => resolve(text));
  });
}

it('reports exit codes, and 128 + n for a process that signal n ended', async () => {
  expect(await sh('exit 3', ['ignore', 'ignore', 'ignore']).exited).toBe(3);
  expect(await sh('kill -TERM $$', ['ignore', 'ignore', 'ignore']).exited).toBe(143);
  const sleeper = spawnChild('/bin/sleep', ['60'], { stdio: ['ignore'], env: {} });
  sleeper.kill('SIGKILL');
  expect(await sleeper.exited).toBe(137);
  // Reaped: no zombie left under this pid.
  expect(fs.existsSync(`/proc/${sleeper.pid}`)).toBe(false);
});

it('throws ENOENT and EACCES as child_process words them, and leaves no fd open', () => {
  const before = fs.readdirSync('/proc/self/fd').length;
  const noExec = path.join(dir, 'not-executable');
  fs.writeFileSync(noExec, '#!/bin/sh\n', { mode: 0o644 });
  for (const [file, code] of [
    ['/stk-no-such-binary', 'ENOENT'],
    [noExec, 'EACCES'],
  ]) {
    let err: unknown;
    try {
      spawnChild(file!, [], { stdio: ['ignore', 'pipe', 'pipe'], env: {} });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SpawnFailedError);
    expect((err as SpawnFailedError).code).toBe(code);
    expect((err as Error).message).toBe(`spawn ${file} ${code}`);
  }
  expect(fs.readdirSync('/proc/self/fd').length).toBe(before);
});

it('reaps every one of many children that end at once', async () => {
  const children = Array.from({ length: 40 }, (_, i) => sh(`exit ${i % 7}`, ['ignore']));
  const codes = await Promise.all(children.map((c) => c.exited));
  expect(codes).toEqual(children.map((_, i) => i % 7));
});

it('passes the stdio it names (close-on-exec or not) and nothing else, with every signal at its default', async () => {
  // An fd without close-on-exec: a fork-and-exec would hand it over.
  const leaky = dup2Free(fs.openSync(path.join(dir, 'secret'), 'w'));
  const logFd = fs.openSync(path.join(dir, 'log'), 'w'); // close-on-exec, as Node opens everything
  try {
    const child = sh(
      'ls /proc/$$/fd | sort -n | tr "\\n" " "; echo; grep SigIgn /proc/$$/status >&2; echo go >&3; read -r x <&3; echo "$x"',
      ['ignore', 'pipe', logFd, 'pipe'],
    );
    const out = output(child, 1);
    const go = output(child, 3);
    child.pipes[3]!.write('back\n');
    expect(await child.exited).toBe(0);
    // ls's own directory fd is the one past the four.
    expect((await out).split('\n')[0]!.trim().split(' ').slice(0, 4)).toEqual(['0', '1', '2', '3']);
    expect((await out).split('\n')[0]!.trim().split(' ')).not.toContain(String(leaky));
    expect((await out).split('\n')[1]).toBe('back');
    expect(await go).toBe('go\n');
    expect(fs.readFileSync(path.join(dir, 'log'), 'utf8')).toBe('SigIgn:\t0000000000000000\n');
  } finally {
    fs.closeSync(leaky);
    fs.closeSync(logFd);
  }
});

it('hands over the fds 0-2 it inherits blocking, as libuv did: a read that waits does not fail with EAGAIN', async () => {
  // Node makes a pipe it reads or writes on its own fd 0-2 non-blocking (a CLI's piped stdin
  // or stdout); a child given that fd shares its open file description, flags included.
  const fifo = path.join(dir, 'late-input');
  execFileSync('mkfifo', [fifo]);
  const input = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const outFile = path.join(dir, 'flags');
  const out = fs.openSync(outFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_NONBLOCK);
  try {
    const child = sh('read -r line && echo "got $line" && for f in 0 1 2; do grep flags /proc/$$/fdinfo/$f; done', [
      input,
      out,
      out,
    ]);
    // Written once the child waits in read(): non-blocking, that read() failed at once.
    await new Promise((r) => setTimeout(r, 300));
    fs.writeSync(input, 'late\n');
    expect(await child.exited).toBe(0);
    const [got, ...flags] = fs.readFileSync(outFile, 'utf8').trim().split('\n');
    expect(got).toBe('got late');
    const nonBlocking = flags.map((l) => (parseInt(l.split(/\s+/)[1]!, 8) & fs.constants.O_NONBLOCK) !== 0);
    expect(nonBlocking).toEqual([false, false, false]);
  } finally {
    fs.closeSync(input);
    fs.closeSync(out);
  }
});

it('leaves its own stdout blocking for the child when Node first writes to it after the spawn', () => {
  // Node sets O_NONBLOCK on a pipe at its fd 1 when it first makes process.stdout; made
  // while the child writes into a full pipe, the child's write() failed with EAGAIN.
  const script = `
import { spawnChild } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/spawned-child.js'))};
const child = spawnChild('/bin/sh', ['-c', 'sleep 0.2; head -c 1000000 /dev/zero'], { stdio: ['ignore', 1, 2], env: {} });
process.stdout.write('');
child.exited.then((code) => process.stderr.write('exit ' + code));
`;
  const result = spawnSync(
    '/bin/sh',
    ['-c', `"$0" --input-type=module -e "$1" | (sleep 1; wc -c)`, process.execPath, script],
    { encoding: 'utf8' },
  );
  expect([result.stdout.trim(), result.stderr]).toEqual(['1000000', 'exit 0']);
});

it("hands over an fd at the top of the fd table (its fd limit reached) as the child's stdout", () => {
  // The fds are first copied above the child's own numbers: copies past the fd limit would
  // fail, and the child would start with its stdout closed.
  const out = path.join(dir, 'top-fd-out');
  const script = `
import fs from 'node:fs';
import { spawnChild } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/spawned-child.js'))};
const held = [];
for (;;) { try { held.push(fs.openSync('/dev/null', 'r')); } catch { break; } }
fs.closeSync(held.pop());
const out = fs.openSync(${JSON.stringify(out)}, 'w'); // the last fd the limit allows
for (const fd of held.splice(0, 8)) fs.closeSync(fd); // room below for what the spawn makes
const child = spawnChild('/bin/sh', ['-c', 'echo ok'], { stdio: ['ignore', out, 'ignore'], env: {} });
child.exited.then((code) => process.stdout.write(out + ' ' + code));
`;
  const result = execFileSync('prlimit', ['--nofile=64:64', process.execPath, '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  expect(result).toBe('63 0');
  expect(fs.readFileSync(out, 'utf8')).toBe('ok\n');
});

it('keeps the event loop alive while a child runs, as a ChildProcess does', () => {
  const script = `
import { spawnChild } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/spawned-child.js'))};
const child = spawnChild('/bin/sh', ['-c', 'sleep 0.3; exit 5'], { stdio: ['ignore'], env: {} });
child.exited.then((code) => process.stdout.write('exited ' + code));
`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(out).toBe('exited 5');
});

it("lets the event loop end while an unref'd child runs (exec -d), leaving the child running", () => {
  const script = `
import { spawnChild } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/spawned-child.js'))};
const child = spawnChild('/bin/sleep', ['30'], { stdio: ['ignore'], env: {}, detached: true });
child.unref();
process.stdout.write(String(child.pid));
`;
  const started = Date.now();
  const pid = Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  try {
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('/bin/sleep\x0030\x00');
  } finally {
    process.kill(pid, 'SIGKILL');
  }
});

/** A copy of `fd` without close-on-exec (dup2 clears it), at a number nothing else uses. */
function dup2Free(fd: number): number {
  const target = 200;
  dup2(fd, target);
  fs.closeSync(fd);
  return target;
}
