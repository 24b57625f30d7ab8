// Commands that change a stack run their change under the stack's lock
// (store/stack-lock.ts): a second `up`/`down`/watch cycle on the same stack
// waits, says for whom, and goes on once the first is done.

import { acquireStackLock, waitingMessage } from '../store/stack-lock.js';

/**
 * The lock file goes with the lock, whatever the body did (a failed `up` left it behind):
 * it only says who holds the lock, and a waiter that opened it meanwhile sees it unlinked
 * and opens the next one (file-lock.ts).
 */
export async function withStackLock<T>(project: string, command: string, body: () => Promise<T>): Promise<T> {
  const lock = await acquireStackLock(project, {
    command,
    onWait: (holder) => process.stderr.write(`${waitingMessage(project, holder)}\n`),
  });
  try {
    return await body();
  } finally {
    lock.release({ removeFile: true });
  }
}
