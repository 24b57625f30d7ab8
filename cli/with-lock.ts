// Commands that change a stack run their change under the stack's lock
// (executor/host/linux/stack-lock.ts): a second `up`/`down`/watch cycle on the same stack
// waits, says for whom, and goes on once the first is done.

import { acquireStackLock, waitingMessage } from '../executor/host/linux/stack-lock.js';

export async function withStackLock<T>(project: string, command: string, body: () => Promise<T>, opts: { removeFileAfter?: boolean } = {}): Promise<T> {
  const lock = await acquireStackLock(project, {
    command,
    onWait: (holder) => process.stderr.write(`${waitingMessage(project, holder)}\n`),
  });
  let ok = false;
  try {
    const result = await body();
    ok = true;
    return result;
  } finally {
    lock.release({ removeFile: ok && !!opts.removeFileAfter });
  }
}
