// What `stack logs` does (loaded only when it runs; see logs.ts). `up` uses printLog too.

import fs from 'node:fs';
import { logEnd, logStart, readLogAt } from '../../store/log-segments.js';
import { containerStatus, logFileOf, type ContainerStatusRow } from '../../supervisor/status.js';
import { containerName } from '../../model/names.js';
import { EXIT } from '../errors.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';
import { logPrefixes, wantsColor } from '../log-prefixes.js';
import { logClock, parseLogTime } from '../log-times.js';
import { logFollowers } from '../log-followers.js';

export interface LogsOptions {
  follow?: boolean;
  /** Lines from the end of each container's log: a number or "all" (compose's default). */
  tail?: string;
  /** false with --no-color. */
  color?: boolean;
  timestamps?: boolean;
  since?: string;
  until?: string;
  /** --index N: only replica N of the services. */
  index?: string;
  /** false with --no-log-prefix. */
  logPrefix?: boolean;
}

export async function logs(globals: GlobalOptions, services: string[], opts: LogsOptions): Promise<number> {
  const project = projectOf(globals);
  const rows = await containerStatus(project);
  const unknown = services.filter((s) => !rows.some((r) => r.service === s));
  if (unknown.length > 0)
    throw new UsageError(`no container for service ${unknown.join(', ')} in stack ${project}; \`stack ps\` lists them`);
  const tail = opts.tail === undefined || opts.tail === 'all' ? undefined : Number(opts.tail);
  if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0))
    throw new UsageError(`--tail takes a number of lines or "all", not "${opts.tail}"`);
  const index = opts.index === undefined ? undefined : Number(opts.index);
  if (index !== undefined && !(Number.isInteger(index) && index >= 1))
    throw new UsageError(`--index takes a replica number (1 or more), not "${opts.index}"`);
  const shown = (r: ContainerStatusRow) =>
    (services.length === 0 || services.includes(r.service)) &&
    (index === undefined || r.name === containerName(project, r.service, index));
  const named = rows.filter(shown);
  // docker's none driver keeps nothing to read; say so for each such container, as docker does.
  const chosen = named.filter((r) => r.logDriver !== 'none');
  for (const r of named.filter((n) => n.logDriver === 'none'))
    process.stderr.write(
      `service ${r.service}: its logging driver is none: configured logging driver does not support reading (${r.name})\n`,
    );
  const prefixed = chosen.length > 1 && opts.logPrefix !== false;
  const prefixes = prefixed
    ? logPrefixes(
        chosen.map((r) => r.service),
        wantsColor(process.stdout, opts.color === false),
      )
    : chosen.map(() => '');
  const view: LogView = {
    ...(opts.timestamps ? { timestamps: true } : {}),
    ...(opts.since !== undefined ? { sinceMs: parseLogTime('--since', opts.since) } : {}),
    ...(opts.until !== undefined ? { untilMs: parseLogTime('--until', opts.until) } : {}),
  };
  if (opts.follow) {
    // Ctrl-C ends the follow with compose's code, 130 (128 + SIGINT), not a death by signal;
    // listened for before the first line is printed, as whoever sees output may press it.
    const interrupted = new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    // Until interrupted, also the containers that appear meanwhile (a replacement, a new replica).
    const followers = logFollowers(project, {
      wanted: (r) => shown(r) && r.logDriver !== 'none',
      color: wantsColor(process.stdout, opts.color === false),
      view,
      ...(tail !== undefined ? { tail } : {}),
      aligned: prefixed,
    });
    await followers.poll();
    await interrupted;
    followers.stop();
    return EXIT.interrupted;
  }
  await Promise.all(chosen.map((r, i) => printLog(logFileOf(project, r.instance), prefixes[i]!, false, tail, view)));
  return chosen.length === 0 && named.length > 0 ? EXIT.error : EXIT.ok;
}

/** Where to start reading so that only the last `lines` lines of `file` are shown (across its rotated files). */
function tailOffset(file: string, lines: number): number {
  const start = logStart(file);
  let end = logEnd(file);
  if (lines === 0) return end;
  let seen = 0;
  for (let pos = end; pos > start;) {
    const from = Math.max(start, pos - 64 * 1024);
    const chunk = readLogRange(file, from, pos);
    if (chunk.at > from) return chunk.at; // older bytes went while we looked: show from what is kept
    for (let i = chunk.data.length - 1; i >= 0; i--) {
      if (chunk.data[i] !== 0x0a) continue;
      if (from + i === end - 1) {
        end = -1; // the last line's own newline
        continue;
      }
      if (++seen === lines) return from + i + 1;
    }
    pos = from;
  }
  return start;
}

/** The bytes from `from` to `to` (absolute), read across files; `at` > `from` when the first ones are gone. */
function readLogRange(file: string, from: number, to: number): { at: number; data: Buffer } {
  const parts: Buffer[] = [];
  let at = from;
  let first: number | undefined;
  while (at < to) {
    const got = readLogAt(file, at, to - at);
    first ??= got.at;
    if (got.data.length === 0) break;
    parts.push(got.data);
    at = got.at + got.data.length;
  }
  return { at: first ?? from, data: Buffer.concat(parts) };
}

/** Which lines to show and how: timestamps, and the --since/--until window (ms since the epoch). */
export interface LogView {
  timestamps?: boolean;
  sinceMs?: number;
  untilMs?: number;
}

/**
 * Prints a log file (its last `tail` lines when given) and, with follow, what is appended
 * to it until interrupted. With timestamps or a time window, each line's time comes from
 * the supervisor's notes of when the file grew (cli/log-times.ts). Following ends at `stop`.
 */
export async function printLog(
  file: string,
  prefix: string,
  follow: boolean,
  tail?: number,
  view: LogView = {},
  stop?: AbortSignal,
): Promise<void> {
  let offset = tail === undefined ? logStart(file) : tailOffset(file, tail);
  const timed = view.timestamps || view.sinceMs !== undefined || view.untilMs !== undefined;
  const clock = timed ? logClock(file) : undefined;
  let partial = Buffer.alloc(0);
  const show = (line: Buffer, end: number): string => {
    if (!clock) return `${prefix}${line.toString('utf8')}\n`;
    const at = clock.timeOf(end);
    if ((view.sinceMs !== undefined && at < view.sinceMs) || (view.untilMs !== undefined && at > view.untilMs))
      return '';
    return `${prefix}${view.timestamps ? `${new Date(at).toISOString()} ` : ''}${line.toString('utf8')}\n`;
  };
  let inode = inodeOf(file);
  const drain = () => {
    // Another file, or shorter than what was read: the log was removed with its container
    // and a new one of the same name writes it again (a recreate): follow it from its
    // start, as tail -F does. (Rotations keep the file and its positions: store/log-segments.ts.)
    const now = inodeOf(file);
    if (now === undefined) return;
    if (now !== inode || logEnd(file) < offset) {
      inode = now;
      offset = logStart(file);
      partial = Buffer.alloc(0);
    }
    clock?.refresh();
    for (;;) {
      const { at, data } = readLogAt(file, offset);
      if (data.length === 0) return;
      // Older bytes went before we read them (a slow reader of a fast writer): what was
      // held of a cut line is dropped with them.
      if (at !== offset) partial = Buffer.alloc(0);
      // Whole lines only, split as bytes: a character cut by the chunk boundary stays whole.
      const joined = Buffer.concat([partial, data]);
      const start = at - partial.length;
      offset = at + data.length;
      let out = '';
      let from = 0;
      for (let nl = joined.indexOf(0x0a); nl >= 0; nl = joined.indexOf(0x0a, from)) {
        out += show(joined.subarray(from, nl), start + nl + 1);
        from = nl + 1;
      }
      partial = Buffer.from(joined.subarray(from));
      if (out) process.stdout.write(out);
    }
  };
  drain();
  if (!follow) {
    if (partial.length > 0) process.stdout.write(show(partial, offset));
    return;
  }
  await new Promise<void>((resolve) => {
    fs.watchFile(file, { interval: 200 }, drain);
    // Following ends (attached `up` returns): what was written since the last poll is shown first.
    stop?.addEventListener(
      'abort',
      () => {
        fs.unwatchFile(file, drain);
        drain();
        if (partial.length > 0) process.stdout.write(show(partial, offset));
        resolve();
      },
      { once: true },
    );
  });
}

function inodeOf(file: string): number | undefined {
  try {
    return fs.statSync(file).ino;
  } catch {
    return undefined;
  }
}
