// The threadpool window's way back (native/window/window.c), at each step that can fail. A
// threadpool thread that could not get back to the host's namespaces, root or cwd would run
// the pool's next job (a record write, a log open, a name lookup) inside a container: the
// library aborts the process instead, before the call's answer reaches JS. An unshare that
// fails changed nothing and returns at once: taking the way back then would abort for
// nothing (setns(mnt) fails on the still shared fs state).
//
// The faults are the production function's own, called with arguments that make one step
// fail: a closed fd among the namespaces to go back to, or as the root; after a failed spawn
// or join too. Each case runs in a child process (it dies), without a core file.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../support/stack-cli.js';

const dist = (file: string) => JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux', file));

const script = `
import fs from 'node:fs';
import { windowCall } from ${dist('threadpool-window.js')};
import { spawnArguments } from ${dist('posix-spawn.js')};
import { CLONE } from ${dist('libc.js')};
const own = (ns) => fs.openSync('/proc/thread-self/ns/' + ns, 'r');
const BAD = -1;
const ns = { uts: own('uts'), ipc: own('ipc'), mnt: own('mnt') };
const good = { back: [ns.uts, ns.ipc, ns.mnt], root: fs.openSync('/', 'r'), cwd: fs.openSync('.', 'r') };
const flags = CLONE.NEWUTS | CLONE.NEWIPC | CLONE.NEWNS;
const cases = {
  back: { flags, back: [ns.uts, BAD, ns.mnt] },
  root: { flags, root: BAD },
  cwd: { flags, cwd: BAD },
  'spawn failed, then back': { flags, path: '/stk-no-such-command', back: [ns.uts, BAD, ns.mnt] },
  'join failed, then back': { flags, joins: [BAD], back: [ns.uts, BAD, ns.mnt] },
  // CLONE_NEWUSER: EINVAL in a process with threads. The way back is not taken.
  unshare: { flags: flags | CLONE.NEWUSER, back: [BAD] },
};
const c = { ...good, joins: [], path: '/bin/true', ...cases[process.env.STK_FAULT] };
// The way back as the window's: uts, ipc, then mnt last.
const backTypes = [CLONE.NEWUTS, CLONE.NEWIPC, CLONE.NEWNS];
const spawn = spawnArguments({ path: c.path, argv: [c.path], env: {}, fds: [], setsid: false });
const pid = [0];
const step = [0];
windowCall().async(
  c.flags, c.joins, c.joins.map(() => CLONE.NEWNET), c.joins.length,
  c.back, c.back.map((_, i) => backTypes[i]), c.back.length,
  c.root, c.cwd, ...spawn.args, pid, step,
  (err, rc) => {
    spawn.done();
    // Every thread, the threadpool's among them, where the main thread is.
    const links = ['ns/uts', 'ns/ipc', 'ns/mnt', 'root', 'cwd'];
    const threadsOnHost = fs.readdirSync('/proc/self/task').every((t) =>
      links.every((l) => fs.readlinkSync('/proc/self/task/' + t + '/' + l) === fs.readlinkSync('/proc/self/' + l)));
    fs.writeSync(1, JSON.stringify({ err: err ? String(err) : null, rc, step: step[0], threadsOnHost }));
  },
);
`;

/** The script with one fault, in a child process without core files. */
function runFault(fault: string) {
  const r = spawnSync(
    '/bin/sh',
    ['-c', 'ulimit -c 0; exec "$0" --input-type=module -e "$1"', process.execPath, script],
    {
      env: { ...process.env, STK_FAULT: fault },
      encoding: 'utf8',
      timeout: 8000,
    },
  );
  return { signal: r.signal, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

it.each(['back', 'root', 'cwd', 'spawn failed, then back', 'join failed, then back'])(
  'a threadpool thread that cannot get back (%s) aborts the process before its answer reaches JS',
  (fault) => {
    const r = runFault(fault);
    expect(r.stdout).toBe('');
    expect(r.signal).toBe('SIGABRT');
  },
);

it('an unshare that fails returns its errno at once, the thread where it was', () => {
  const r = runFault('unshare');
  expect(r.signal).toBeNull();
  const EINVAL = 22;
  expect(JSON.parse(r.stdout)).toEqual({ err: null, rc: EINVAL, step: 1, threadsOnHost: true });
});
