// Containers a previous supervisor spawned outlive it (they run in their own session) but
// are no children of the next one: no exit event reaches it. It adopts them by watching
// their /proc entries (pid + start time, so a reused pid does not fool it) on one shared
// timer, and reports each exit like a child's, with the exit code the kernel's taskstats
// records gave (exit-codes.ts) — or -1 where the kernel has none, or the container was
// already gone at adoption.

import { ExitCodeListener } from './exit-codes.js';
import { isSameProcess } from '../../../store/proc-stat.js';

export interface Adopted {
  project: string;
  name: string;
  pid: number;
  startTime: number;
}

export class AdoptedContainers {
  private readonly watched = new Map<string, Adopted>();
  private timer: NodeJS.Timeout | undefined;
  /** Opened with the first adoption: a supervisor that adopts nothing never registers. */
  private exits: ExitCodeListener | undefined | null;

  constructor(
    private readonly onGone: (c: Adopted, exitCode: number) => void,
    private readonly intervalMs = 250,
  ) {}

  add(c: Adopted): void {
    if (this.exits === undefined) this.exits = ExitCodeListener.open() ?? null;
    // Watched before the liveness check: an exit right after it still leaves its record.
    this.exits?.watch(c.pid);
    if (!isSameProcess(c.pid, c.startTime)) {
      this.exits?.drain();
      this.onGone(c, this.exits?.take(c.pid) ?? -1);
      return;
    }
    this.watched.set(`${c.project}/${c.name}`, c);
    this.timer ??= setInterval(() => this.check(), this.intervalMs);
  }

  /**
   * After a deliberate stop: reports the adopted process's exit now, once it is gone, and
   * stops watching it. Left to the poller, its exit came up to one interval later — after a
   * restart had started the next process, and was charged to that one.
   */
  settle(project: string, name: string): void {
    const c = this.watched.get(`${project}/${name}`);
    if (!c || isSameProcess(c.pid, c.startTime)) return;
    this.exits?.drain();
    const exitCode = this.exits?.take(c.pid) ?? -1;
    this.forget(project, name);
    this.onGone(c, exitCode);
  }

  /** Stops watching (the container is being stopped on purpose, or was replaced). */
  forget(project: string, name: string): void {
    const c = this.watched.get(`${project}/${name}`);
    if (c) this.exits?.take(c.pid); // its record, if any, is of no use now
    this.watched.delete(`${project}/${name}`);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private check(): void {
    for (const c of [...this.watched.values()]) this.settle(c.project, c.name);
  }
}
