// Whether Node has made process.stdout or process.stderr yet. It makes each on first use, and
// only a stream it made can hold output that process.exit would drop (exit-after-output.ts),
// while making one for a pipe loads node:net (~2 ms of CPU), which the one-shot `stack run`
// otherwise never needs (cli/one-shot-run.ts).

/** Watches from now on: the returned function says whether either was used since. */
export function watchStdioMade(): () => boolean {
  let made = false;
  for (const name of ['stdout', 'stderr'] as const) {
    const own = Object.getOwnPropertyDescriptor(process, name);
    if (!own?.get || !own.configurable) {
      made = true; // not Node's lazy getter (replaced by someone): assume it holds output
      continue;
    }
    const make = own.get;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: own.enumerable ?? true,
      get() {
        made = true;
        return make.call(process);
      },
    });
  }
  return () => made;
}
