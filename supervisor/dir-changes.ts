// Waiting for a file to appear in a folder without polling it: the CLI waits so for the
// socket of the supervisor it started. Tried every 2 ms, the refused connects cost the CLI
// ~0.2–0.3 ms of CPU per ms of waiting (13–25 ms per first `up` on a loaded machine), taken
// from the two cores the booting supervisor needs. inotify (fs.watch) says when the socket's
// folder changes instead: the socket is made (bind), then its mode set (server.ts).

import fs from 'node:fs';

export interface DirChanges {
  /** Resolves at the next change in the folder since the last call, or after `ms`. */
  next(ms: number): Promise<void>;
  close(): void;
}

/** Watches `dir`, which exists; without it (or inotify) `next` waits out its `ms` only. */
export function watchDirChanges(dir: string): DirChanges {
  let changed = false;
  let wake: (() => void) | undefined;
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(dir, () => {
      changed = true;
      wake?.();
    });
    watcher.on('error', () => {}); // the folder went: the timers go on
  } catch {
    // no folder, no inotify: timers only
  }
  return {
    next(ms) {
      return new Promise((resolve) => {
        if (changed) {
          changed = false;
          return resolve();
        }
        const done = () => {
          clearTimeout(timer);
          wake = undefined;
          changed = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      });
    },
    close() {
      watcher?.close();
    },
  };
}
