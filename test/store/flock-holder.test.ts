// flockHolder reads who holds a flock from /proc/locks without taking it: the CLI asks it
// whether a stack's supervisor runs, and a probe that took the lock could turn one away.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { flockHolder } from '../../store/flock-holder.js';
import { tryFileLock } from '../../store/file-lock.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-flock-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// A deadline, not a count of polls: on a loaded machine `flock` may take seconds to start.
const waitFor = async (done: () => boolean) => {
  for (const deadline = Date.now() + 20_000; !done() && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 10));
};

describe('flockHolder', () => {
  it('names the process holding the lock, and nobody once it is gone or for a missing file', async () => {
    const file = path.join(dir, 'held.lock');
    fs.writeFileSync(file, '');
    expect(flockHolder(file)).toBeUndefined();
    // -o: flock itself holds it (its command would inherit the lock otherwise).
    const holder = spawn('flock', ['-o', file, 'sleep', '30'], { stdio: 'ignore', detached: true });
    const exited = new Promise((r) => holder.once('exit', r));
    await waitFor(() => flockHolder(file) !== undefined);
    expect(flockHolder(file)).toBe(holder.pid);
    // Probing did not take it: it is still not ours to have.
    expect(tryFileLock(file, 'test')).toBeUndefined();
    process.kill(-holder.pid!, 'SIGKILL'); // flock and its sleep
    await exited;
    // flock's forked child shares the locked file description until it closes it (-o) before
    // its exec; killed before that, it releases the lock only when it exits itself, which on a
    // loaded machine can come after flock's own exit event. Wait for it, with a deadline.
    await waitFor(() => flockHolder(file) === undefined);
    expect(flockHolder(file)).toBeUndefined();
    expect(flockHolder(path.join(dir, 'missing.lock'))).toBeUndefined();
  }, 30_000);
});
