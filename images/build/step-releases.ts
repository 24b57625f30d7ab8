// The removal of RUN steps' containers, taken off the build's critical path. Once a step's
// upper folder is committed as a layer, its container (exited already) is only something to
// clean up: its record, cgroups, veth and folders. Removing it took ~20 ms per RUN step, in
// line before the next step and before the image was written; now the build goes on while
// it runs, and waits for every removal before it ends (build-image.ts), failed or not, so
// the runner's end still finds nothing of a step's left. A build killed meanwhile is swept
// by the next build, as when it is killed mid-step (executor/build-leftovers.ts).

export class StepReleases {
  /** Each removal, settled: its error kept to be thrown at `done`, not lost as an unhandled rejection. */
  private readonly pending: Promise<{ error: unknown } | undefined>[] = [];

  start(release: () => Promise<void>): void {
    this.pending.push(
      release().then(
        () => undefined,
        (error: unknown) => ({ error }),
      ),
    );
  }

  /** Waits for every removal started; throws the first failure. */
  async done(): Promise<void> {
    const failed = (await Promise.all(this.pending)).find((r) => r !== undefined);
    if (failed) throw failed.error;
  }
}
