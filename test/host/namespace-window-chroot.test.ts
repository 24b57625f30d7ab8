// Privileged, found by the VM lane (issue 15): a supervisor started in a chroot (the VM's
// init chroots into its overlay root; build chroots do the same) lost its root after its
// first container: setns(CLONE_NEWNS) on the way back from the namespace window sets the
// thread's root to the mount namespace's root, so STACK_ROOT, /sys/fs/cgroup and every
// other path resolved outside the chroot — `up` failed with ENOENT on the next container's
// log, and `ps` lost OOMKilled (memory.events could not be read). A child process plays
// that supervisor: it chroots into a folder holding a marker (and /proc, which the window
// reads), spawns through the window, and looks for the marker afterwards.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../support/stack-cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-chroot-'));
const proc = path.join(dir, 'proc');

beforeAll(() => {
  fs.mkdirSync(proc);
  execFileSync('mount', ['--bind', '/proc', proc]);
});

afterAll(() => {
  execFileSync('umount', [proc]);
  fs.rmSync(dir, { recursive: true, force: true });
});

const script = `
import fs from 'node:fs';
import { chroot } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/libc.js'))};
import { spawnInNewNamespaces } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/namespace-window.js'))};
import { spawnContainerProcess, warmContainerStarts } from ${JSON.stringify(path.join(repoRoot, 'dist/executor/host/linux/threadpool-window.js'))};
// The threadpool's window library, loaded from the build before the chroot hides it.
warmContainerStarts();
chroot(process.env.STK_CHROOT);
process.chdir('/');
const before = fs.existsSync('/marker');
// Nothing to run in the chroot: the spawn fails (ENOENT), and the window closes all the same.
// No stdio: 'ignore' would open /dev/null, which the chroot lacks, and fail before the window.
try {
  spawnInNewNamespaces('/stk-no-such-command', [], { stdio: [], env: {} });
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
const after = fs.existsSync('/marker');
// The same window on a threadpool thread (threadpool-window.ts): that thread comes back to the chroot too.
try {
  await spawnContainerProcess('/stk-no-such-command', [], { stdio: [], env: {} });
} catch (err) {
  if (err.code !== 'ENOENT') throw err;
}
// Each thread's root, through its magic link: only a thread whose root is the chroot sees the marker there.
const threadsInChroot = fs.readdirSync('/proc/self/task').every((t) => fs.existsSync('/proc/self/task/' + t + '/root/marker'));
process.stdout.write(JSON.stringify({ before, after, threadsInChroot }));
`;

describe('the namespace window in a chroot', () => {
  it('keeps the supervisor in its chroot after a spawn', () => {
    fs.writeFileSync(path.join(dir, 'marker'), '');
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, STK_CHROOT: dir },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).toEqual({ before: true, after: true, threadsInChroot: true });
  });
});
