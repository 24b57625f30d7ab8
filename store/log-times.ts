// When container output was written. A container writes its stdout and stderr straight
// into its log file (no relay process per container), so the supervisor notes when that
// file grows: `<log>.times` gets a line "<size> <epoch ms>" whenever it sees new bytes, at
// most one per 50 ms per container. Every byte before <size> was written by that time,
// which is when `logs -t`, `--since` and `--until` say a line appeared: to within those
// 50 ms, or, for output written while no supervisor ran, when the next one noticed it.
// With `logging:` max-size, <size> is an absolute position (store/log-segments.ts) and each
// note is also when the log is rotated (store/log-rotation.ts); notes of bytes no longer
// kept are dropped then.

import fs from 'node:fs';
import { paths } from './paths.js';
import { PRIVATE_FILE_MODE } from './private-files.js';
import type { LogConfig } from '../model/plan.js';
import { readHead } from './log-segments.js';
import { rotateLog, type LogHeadDropper } from './log-rotation.js';

const COALESCE_MS = 50;

export const logTimesFile = (logFile: string) => `${logFile}.times`;

export interface LogTimes {
  /** Starts noting the growth of a running container's log (again: nothing happens), rotating it as `config` says. */
  track(name: string, config?: LogConfig): void;
  /** Notes what was written so far and stops watching (the container exited or is gone). */
  untrack(name: string): void;
  close(): void;
}

interface Watched {
  watcher: fs.FSWatcher;
  size: number;
  lastNoted: number;
  timer?: NodeJS.Timeout;
  config?: LogConfig;
  /** Absolute position of the log file's first byte (its rotations so far). */
  base: number;
}

/** Keeps only the notes that still describe kept bytes (those ending after `keep`). */
function trimTimes(file: string, keep: number): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const kept = text.split('\n').filter((l) => l !== '' && Number(l.split(' ')[0]) > keep);
  fs.writeFileSync(`${file}.tmp`, kept.map((l) => `${l}\n`).join(''), { mode: PRIVATE_FILE_MODE });
  fs.renameSync(`${file}.tmp`, file);
}

export function createLogTimes(
  project: string,
  now: () => number = Date.now,
  /** The host's way to drop the start of a log file (rotation); without it, logs are not rotated. */
  dropper?: LogHeadDropper,
): LogTimes {
  const watched = new Map<string, Watched>();

  const note = (name: string) => {
    const w = watched.get(name);
    if (!w) return;
    w.timer = undefined;
    const file = paths.logFile(project, name);
    let size: number;
    try {
      size = w.base + fs.statSync(file).size;
    } catch {
      return; // removed with its stack
    }
    if (size <= w.size) return;
    const at = now();
    try {
      fs.appendFileSync(logTimesFile(file), `${size} ${at}\n`, { mode: PRIVATE_FILE_MODE });
    } catch {
      // STACK_ROOT full: the output stays unnoted until the next growth finds space (a
      // throw here, in a timer, would end the supervisor).
      return;
    }
    w.size = size;
    w.lastNoted = at;
    if (w.config?.maxBytes === undefined || !dropper) return;
    try {
      const before = w.base;
      const head = rotateLog(file, w.config, dropper);
      w.base = head.base;
      if (head.base !== before) trimTimes(logTimesFile(file), head.keep);
    } catch {
      // STACK_ROOT full or the log removed meanwhile: the next growth tries again (a throw
      // here, in a timer, would end the supervisor).
    }
  };

  const soon = (name: string) => {
    const w = watched.get(name);
    if (!w || w.timer) return;
    w.timer = setTimeout(() => note(name), Math.max(0, w.lastNoted + COALESCE_MS - now()));
    w.timer.unref();
  };

  return {
    track(name, config) {
      if (watched.has(name)) return;
      const file = paths.logFile(project, name);
      let watcher: fs.FSWatcher;
      try {
        watcher = fs.watch(file, { persistent: false }, () => soon(name));
      } catch {
        return; // attached one-offs (`run`) have no log file
      }
      watcher.on('error', () => {});
      watched.set(name, { watcher, size: 0, lastNoted: 0, base: readHead(file).base, ...(config ? { config } : {}) });
      // Output from before we watched (a restart, an adopted container) counts as seen now.
      const w = watched.get(name)!;
      try {
        const times = fs.readFileSync(logTimesFile(file), 'utf8').trimEnd().split('\n');
        w.size = Number(times[times.length - 1]?.split(' ')[0]) || 0;
      } catch {
        /* no times yet */
      }
      note(name);
    },
    untrack(name) {
      const w = watched.get(name);
      if (!w) return;
      if (w.timer) clearTimeout(w.timer);
      note(name);
      w.watcher.close();
      watched.delete(name);
    },
    close() {
      for (const name of [...watched.keys()]) this.untrack(name);
    },
  };
}
