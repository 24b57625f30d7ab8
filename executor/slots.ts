// A counting semaphore for the executor's concurrency limit. Unlike a task queue, a slot
// can be handed back in the middle of an operation: a container.start that has made its
// container and now waits for its dependencies to start (releaseAfter) must not hold a
// slot those dependencies need, or a chain longer than the limit would deadlock.

export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(count: number) {
    this.free = count;
  }

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next)
      next(); // the slot passes straight to the next in line
    else this.free++;
  }
}
