// Reading side of store/log-times.ts: the time each line of a container's
// log was written, and the --since/--until values of `logs`.

import fs from 'node:fs';
import { parseDuration } from '../model/duration.js';
import { UsageError } from './usage-error.js';

export interface LogClock {
  /** When the bytes before `end` had been written, ms since the epoch. */
  timeOf(end: number): number;
  /** Re-reads the times file (follow mode: the supervisor keeps adding to it). */
  refresh(): void;
}

export function logClock(logFile: string): LogClock {
  let offsets: number[] = [];
  let times: number[] = [];
  const refresh = () => {
    offsets = [];
    times = [];
    let text = '';
    try {
      text = fs.readFileSync(`${logFile}.times`, 'utf8');
    } catch {
      /* none yet */
    }
    for (const line of text.split('\n')) {
      const [size, ms] = line.split(' ').map(Number);
      if (Number.isFinite(size) && Number.isFinite(ms)) {
        offsets.push(size!);
        times.push(ms!);
      }
    }
  };
  refresh();
  return {
    refresh,
    timeOf(end) {
      // The first note that covers `end`; past the last one, the file's own mtime (the
      // last write) — no note can be later than that.
      let lo = 0;
      let hi = offsets.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (offsets[mid]! >= end) hi = mid;
        else lo = mid + 1;
      }
      if (lo < offsets.length) return times[lo]!;
      try {
        return fs.statSync(logFile).mtimeMs;
      } catch {
        return Date.now();
      }
    },
  };
}

/**
 * docker's --since/--until: an RFC 3339 date (`2026-12-02T10:00:00Z`), Unix seconds
 * (`1764669600`), or a duration before now (`10m`, `1h30m`).
 */
export function parseLogTime(flag: string, value: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const seconds = /^\d/.test(value) ? parseDuration(value) : undefined;
  if (seconds !== undefined) return now - seconds * 1000;
  const date = Date.parse(value);
  if (Number.isFinite(date)) return date;
  throw new UsageError(
    `${flag} takes a date (2026-12-02T10:00:00Z), Unix seconds or a duration before now (10m, 1h30m), not "${value}"`,
  );
}
