// A supervisor whose stack folder vanished (STACK_ROOT removed, a test's temp folder deleted
// under a running stack) serves a stack nobody can name any more: `stack down` finds no
// records, and its containers, links, nft table and cgroups would stay until removed by hand.
// So it looks at its stack folder every CHECK_MS: one stat(2) of a path, a few microseconds,
// nothing measurable for an idle supervisor (an inotify watch would need the parent to
// exist and a re-arm when it is itself replaced). When the folder is gone, or another
// folder took its place (another inode), the stack is gone: the supervisor takes it down
// by name and exits (main.ts). A normal `down` never triggers it: the supervisor stops the
// watch (`leave`) before it removes the folder itself.

import fs from 'node:fs';

const CHECK_MS = 2000;

export interface FolderWatch {
  stop(): void;
}

/** Identity of a folder: device and inode; undefined when it is absent. */
function identity(dir: string): string | undefined {
  try {
    const st = fs.statSync(dir, { bigint: true });
    return `${st.dev}:${st.ino}`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    return 'unknown'; // EACCES, EIO: not a sign that it is gone
  }
}

/**
 * Calls `gone` once when `dir`, seen to exist, is absent or replaced. A folder not there yet
 * at the start (a supervisor started before its stack's first record) is awaited, never
 * taken for gone.
 */
export function watchStackFolder(dir: string, gone: () => void, checkMs = CHECK_MS): FolderWatch {
  let seen = identity(dir);
  const timer = setInterval(() => {
    const now = identity(dir);
    if (now === 'unknown') return;
    if (seen === undefined || seen === 'unknown') {
      seen = now;
      return;
    }
    if (now === seen) return;
    clearInterval(timer);
    gone();
  }, checkMs);
  // The server keeps the process alive; the watch alone must not.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
