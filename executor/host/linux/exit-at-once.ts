// The one-shot `stack run`'s end, for a process that binds libc anyway: its 'exit' listeners
// run (bin/stack.js writes the code cache there), then _exit(2). process.exit would go on to
// tear Node down: stop and join its threadpool and platform threads, restore signal
// dispositions, fsync stdout and stderr where they are files, free the heap, ~3 ms of the
// one-shot's ~55 between the container's removal and the exit its caller waits for. Only for
// a process whose own stdout and stderr were never made (cli/stdio-made.ts): nothing of
// Node's is left to write out.

import { exitProcessNow } from './libc.js';

export function exitAtOnce(): never {
  const code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  (process as { _exiting?: boolean })._exiting = true;
  process.emit('exit', code);
  return exitProcessNow(code);
}
