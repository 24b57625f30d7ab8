// Watches a set of files (chokidar) and reports changes to any of them. It watches their
// folders rather than the files themselves: editors save by writing a new file and
// renaming it over the old one, and a file that does not exist yet (`.env`) may appear.
// Knows nothing about stacks: the caller says which files matter, and may change the set
// after every load (an edit can add an include or env_file).

import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';

export interface FileWatcher {
  /** Replaces the set of files that matter. */
  setFiles(files: string[]): void;
  /** Resolves once the watcher has scanned its folders (changes before that may be missed). */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function watchFiles(files: string[], onChange: (file: string) => void): FileWatcher {
  let wanted = new Set(files.map((f) => path.resolve(f)));
  let dirs = new Set([...wanted].map((f) => path.dirname(f)));
  const watcher: FSWatcher = watch([...dirs], {
    ignoreInitial: true,
    depth: 0,
    // Only the wanted files in each folder (the folders themselves must pass).
    ignored: (p: string) => !dirs.has(p) && !wanted.has(p),
  });
  const report = (p: string) => {
    if (wanted.has(path.resolve(p))) onChange(path.resolve(p));
  };
  for (const event of ['add', 'change', 'unlink'] as const) watcher.on(event, report);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    setFiles(next) {
      wanted = new Set(next.map((f) => path.resolve(f)));
      const nextDirs = new Set([...wanted].map((f) => path.dirname(f)));
      const added = [...nextDirs].filter((d) => !dirs.has(d));
      const removed = [...dirs].filter((d) => !nextDirs.has(d));
      dirs = nextDirs;
      if (added.length) watcher.add(added);
      if (removed.length) watcher.unwatch(removed);
    },
    close: () => watcher.close(),
  };
}
