// Adopted containers: a process this supervisor did not spawn is watched through /proc,
// and its exit is reported once, also when its pid was already gone at adoption.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AdoptedContainers, type Adopted } from '../../executor/host/linux/adopted-containers.js';
import { readStartTime } from '../../executor/host/linux/proc-stat.js';

describe('AdoptedContainers', () => {
  it('reports the exit of a watched process once, and a process already gone at once', async () => {
    const gone: string[] = [];
    const watch = new AdoptedContainers((c: Adopted) => gone.push(c.name), 10);
    const child = spawn('sleep', ['30']);
    const exited = new Promise((r) => child.once('exit', r));
    watch.add({ project: 'p', name: 'p-sleep-1', pid: child.pid!, startTime: readStartTime(child.pid!)! });
    watch.add({ project: 'p', name: 'p-gone-1', pid: child.pid!, startTime: 1 });
    expect(gone).toEqual(['p-gone-1']);
    await new Promise((r) => setTimeout(r, 50));
    expect(gone).toEqual(['p-gone-1']);
    child.kill('SIGKILL');
    await exited;
    for (let i = 0; i < 100 && gone.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(gone).toEqual(['p-gone-1', 'p-sleep-1']);
  });
});
