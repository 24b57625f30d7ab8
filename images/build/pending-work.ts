// Work a build starts and goes on without, waited for before the build ends (build-image.ts),
// failed or not. Two kinds, each in line before the next step until now:
// - A RUN step's container, once it has exited and its upper folder is moved out (to be
//   committed as the step's layer meanwhile), is only something to clean up (record,
//   cgroups, veth, folders): ~20 ms per RUN step.
// - A step's build-cache entry (build-cache.ts) is read by later builds only.
// The runner's end still finds nothing of a step's left, since it runs after. A build killed
// meanwhile is swept by the next build, as when it is killed mid-step
// (executor/build-leftovers.ts); a cache entry it did not write is a step run again.

export class PendingWork {
  /** Each piece, settled: its error kept to be thrown at `done`, not lost as an unhandled rejection. */
  private readonly pending: Promise<{ error: unknown } | undefined>[] = [];

  start(work: () => Promise<void>): void {
    this.pending.push(
      work().then(
        () => undefined,
        (error: unknown) => ({ error }),
      ),
    );
  }

  /** Waits for every piece started; throws the first failure. */
  async done(): Promise<void> {
    const failed = (await Promise.all(this.pending)).find((r) => r !== undefined);
    if (failed) throw failed.error;
  }
}
