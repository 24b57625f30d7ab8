// Containers a previous supervisor spawned outlive it (they run in their own session) but
// are no children of the next one: no exit event reaches it. It adopts them by watching
// their /proc entries (pid + start time, so a reused pid does not fool it) on one shared
// timer, and reports each exit like a child's — with the exit code unknown (-1), since only
// a parent can wait for it.

import { isSameProcess } from './proc-stat.js';

export interface Adopted {
  project: string;
  name: string;
  pid: number;
  startTime: number;
}

export class AdoptedContainers {
  private readonly watched = new Map<string, Adopted>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onGone: (c: Adopted) => void,
    private readonly intervalMs = 250,
  ) {}

  add(c: Adopted): void {
    if (!isSameProcess(c.pid, c.startTime)) {
      this.onGone(c);
      return;
    }
    this.watched.set(`${c.project}/${c.name}`, c);
    this.timer ??= setInterval(() => this.check(), this.intervalMs);
  }

  /** Stops watching (the container is being stopped on purpose, or was replaced). */
  forget(project: string, name: string): void {
    this.watched.delete(`${project}/${name}`);
    if (this.watched.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private check(): void {
    for (const c of [...this.watched.values()]) {
      if (isSameProcess(c.pid, c.startTime)) continue;
      this.forget(c.project, c.name);
      this.onGone(c);
    }
  }
}
