// Ending the process at once (process.exit) skips the wait for the event loop to drain, but
// it also drops what stdout and stderr still hold: once a pipe's 64 KB buffer is full, Node
// queues the rest, and exit throws it away (`stack build | less`, `up --dry-run | head` of a
// big stack lost everything past 65,536 bytes). An empty write's callback runs after every
// write queued before it, so exiting from there loses nothing and still skips the drain.

/** Never settles: awaited by a hook, nothing after it runs (commander's action included). */
export function exitAfterOutput(code?: number): Promise<never> {
  let pending = 2;
  const done = () => {
    // No argument at all when none is given: process.exit(undefined) exits 0 whatever
    // process.exitCode says.
    if (--pending === 0) {
      if (code === undefined) process.exit();
      else process.exit(code);
    }
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
  return new Promise<never>(() => {});
}
