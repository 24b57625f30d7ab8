// A supervisor whose stack folder vanished (STACK_ROOT removed, a test's temp folder deleted
// under a running stack) serves a stack nobody can name any more: `stack down` finds no
// records, and its containers, links, nft table and cgroups would stay until removed by hand.
// So it looks at its stack folder every CHECK_MS: one stat(2) of a path, a few microseconds,
// nothing measurable for an idle supervisor (an inotify watch would need the parent to
// exist and a re-arm when it is itself replaced). When the folder is gone, the stack is
// gone: the supervisor takes it down by name and exits (main.ts). A normal `down` never
// triggers it: the supervisor stops the watch (`leave`) before it removes the folder itself.
// A folder made again meanwhile (another inode) is not taken for gone: its records are a new
// `up`'s, served by this supervisor, and a down by name would take that stack down too
// (what the old records described and the new ones do not is removed by name by the next
// down or up: observe-unrecorded.ts).

import fs from 'node:fs';

const CHECK_MS = 2000;

export interface FolderWatch {
  stop(): void;
}

/** Whether the folder is there: 'unknown' for EACCES, EIO (not a sign that it is gone). */
function presence(dir: string): 'present' | 'absent' | 'unknown' {
  try {
    return fs.statSync(dir).isDirectory() ? 'present' : 'absent';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'absent' : 'unknown';
  }
}

/**
 * Calls `gone` once when `dir`, seen to exist, is absent. A folder not there yet at the start
 * (a supervisor started before its stack's first record) is awaited, never taken for gone.
 */
export function watchStackFolder(dir: string, gone: () => void, checkMs = CHECK_MS): FolderWatch {
  let seen = presence(dir) === 'present';
  const timer = setInterval(() => {
    const now = presence(dir);
    if (now === 'present') seen = true;
    if (now !== 'absent' || !seen) return;
    clearInterval(timer);
    gone();
  }, checkMs);
  // The server keeps the process alive; the watch alone must not.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
