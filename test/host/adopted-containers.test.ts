// Adopted containers: a process this supervisor did not spawn is watched through /proc,
// and its exit is reported once, also when its pid was already gone at adoption — with
// its exit code from the kernel's taskstats records, though it is no child of ours.

import { spawn, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { AdoptedContainers, type Adopted } from '../../executor/host/linux/adopted-containers.js';
import { exitCodeOfStatus } from '../../executor/host/linux/exit-codes.js';
import { isSameProcess, readStartTime } from '../../store/proc-stat.js';

const settle = async (done: () => boolean) => {
  for (let i = 0; i < 300 && !done(); i++) await new Promise((r) => setTimeout(r, 10));
};

/** A process that is not our child: sh starts it in the background and exits at once. */
function orphan(script: string): number {
  const r = spawnSync('sh', ['-c', `(${script}) >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

describe('AdoptedContainers', () => {
  it('reports the exit of a watched process once, and a process already gone at once', async () => {
    const gone: [string, number][] = [];
    const watch = new AdoptedContainers((c: Adopted, code) => gone.push([c.name, code]), 10);
    // Gone before anything listened: its exit code is lost for good.
    const long = spawnSync('sh', ['-c', 'exit 3']).pid!;
    const child = spawn('sleep', ['30']);
    const exited = new Promise((r) => child.once('exit', r));
    watch.add({ project: 'p', name: 'p-sleep-1', pid: child.pid!, startTime: readStartTime(child.pid!)! });
    watch.add({ project: 'p', name: 'p-long-1', pid: long, startTime: 1 });
    // Gone after the first adoption registered the listener: its record was kept.
    const recent = spawnSync('sh', ['-c', 'exit 4']).pid!;
    watch.add({ project: 'p', name: 'p-recent-1', pid: recent, startTime: 1 });
    expect(gone).toEqual([
      ['p-long-1', -1],
      ['p-recent-1', 4],
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(gone).toHaveLength(2);
    child.kill('SIGKILL');
    await exited;
    await settle(() => gone.length >= 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(gone).toEqual([
      ['p-long-1', -1],
      ['p-recent-1', 4],
      ['p-sleep-1', 137],
    ]);
  });

  it('knows the exit code of a process that is not its child: an exit status and a signal', async () => {
    const gone = new Map<string, number>();
    const watch = new AdoptedContainers((c: Adopted, code) => gone.set(c.name, code), 10);
    const exits7 = orphan('sleep 0.3; exit 7');
    const killed = orphan('exec sleep 30');
    watch.add({ project: 'p', name: 'p-seven-1', pid: exits7, startTime: readStartTime(exits7)! });
    watch.add({ project: 'p', name: 'p-killed-1', pid: killed, startTime: readStartTime(killed)! });
    process.kill(killed, 'SIGTERM');
    await settle(() => gone.size >= 2);
    expect(Object.fromEntries(gone)).toEqual({ 'p-seven-1': 7, 'p-killed-1': 143 });
  });

  it('reports a stopped process at once when told it was stopped, and only once', async () => {
    const gone: [string, number, number][] = [];
    // A poll so slow it never comes: the report must come from settle.
    const watch = new AdoptedContainers((c: Adopted, code) => gone.push([c.name, c.pid, code]), 60_000);
    const pid = orphan('exec sleep 30');
    const startTime = readStartTime(pid)!;
    watch.add({ project: 'p', name: 'p-web-1', pid, startTime });
    watch.settle('p', 'p-web-1'); // still running: nothing to report
    expect(gone).toEqual([]);
    process.kill(pid, 'SIGKILL');
    await settle(() => !isSameProcess(pid, startTime));
    watch.settle('p', 'p-web-1');
    watch.settle('p', 'p-web-1');
    expect(gone).toEqual([['p-web-1', pid, 137]]);
  });
});

describe('exitCodeOfStatus', () => {
  it('reads a wait status as docker reports it', () => {
    expect(exitCodeOfStatus(0)).toBe(0);
    expect(exitCodeOfStatus(3 << 8)).toBe(3);
    expect(exitCodeOfStatus(9)).toBe(137);
    expect(exitCodeOfStatus(15 | 0x80)).toBe(143); // core dumped
  });
});
