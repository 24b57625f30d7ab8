// Watch cycles never overlap: while one applies, further bursts collapse into at most one
// queued cycle, which runs (with the file as it is then) once the current one is done.

export class ApplyQueue {
  private running: Promise<void> | undefined;
  private queued = false;

  constructor(private readonly cycle: () => Promise<void>) {}

  /** Runs a cycle now, or once the running one ends; extra triggers meanwhile merge. */
  trigger(): void {
    if (this.running) {
      this.queued = true;
      return;
    }
    this.running = this.loop();
  }

  /** Resolves once nothing runs and nothing is queued. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async loop(): Promise<void> {
    try {
      do {
        this.queued = false;
        try {
          await this.cycle();
        } catch {
          // A cycle reports its own failures; the next edit gets its chance.
        }
      } while (this.queued);
    } finally {
      this.running = undefined;
    }
  }
}
