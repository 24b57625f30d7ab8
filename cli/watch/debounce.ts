// Edits come in bursts (an editor writes a temp file, renames it, touches the folder):
// one burst must give one apply. A Debouncer fires once `quietMs` have passed without a
// new change; the clock is injected so tests drive time by hand. A short quiet time keeps
// one edit quick to arrive, but a writer of many files (a git checkout) pauses longer than
// that now and then: once `burst.paths` changes came without `burst.quietMs` of quiet, it
// waits `burst.quietMs`.

export interface Clock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export class Debouncer {
  private timer: unknown;
  private changed = new Set<string>();
  private calm: unknown;
  private recent = 0;

  constructor(
    private readonly clock: Clock,
    private readonly quietMs: number,
    private readonly onBurst: (paths: string[]) => void,
    private readonly burst?: { paths: number; quietMs: number },
  ) {}

  /** A change of `path`: (re)starts the quiet period. */
  poke(path: string): void {
    this.changed.add(path);
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    // Changes counted until the long quiet time passes without one, across calls: the first
    // few of a burst may have gone on their own, the rest must still wait for its end.
    if (this.burst) {
      this.recent++;
      if (this.calm !== undefined) this.clock.clearTimeout(this.calm);
      this.calm = this.clock.setTimeout(() => {
        this.calm = undefined;
        this.recent = 0;
      }, this.burst.quietMs);
    }
    const many = this.burst !== undefined && this.recent >= this.burst.paths;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        const paths = [...this.changed].sort();
        this.changed.clear();
        this.onBurst(paths);
      },
      many ? this.burst!.quietMs : this.quietMs,
    );
  }

  cancel(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    if (this.calm !== undefined) this.clock.clearTimeout(this.calm);
    this.timer = undefined;
    this.calm = undefined;
    this.recent = 0;
    this.changed.clear();
  }
}
