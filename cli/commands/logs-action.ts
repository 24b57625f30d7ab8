// What `stack logs` does (loaded only when it runs; see logs.ts). `up` uses printLog too.

import fs from 'node:fs';
import { containerStatus, logFileOf } from '../../supervisor/status.js';
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
  const chosen = rows.filter((r) => services.length === 0 || services.includes(r.service));
  const prefixes =
    chosen.length > 1
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
    // Until interrupted, also the containers that appear meanwhile (a replacement, a new replica).
    const followers = logFollowers(project, {
      wanted: (r) => services.length === 0 || services.includes(r.service),
      color: wantsColor(process.stdout, opts.color === false),
      view,
      ...(tail !== undefined ? { tail } : {}),
      aligned: chosen.length > 1,
    });
    await followers.poll();
    await new Promise<void>(() => {});
  }
  await Promise.all(chosen.map((r, i) => printLog(logFileOf(project, r.instance), prefixes[i]!, false, tail, view)));
  return EXIT.ok;
}

/** Where to start reading so that only the last `lines` lines of `file` are shown. */
function tailOffset(file: string, lines: number): number {
  let text: Buffer;
  try {
    text = fs.readFileSync(file);
  } catch {
    return 0;
  }
  let end = text.length;
  if (end > 0 && text[end - 1] === 0x0a) end--; // the last line's own newline
  for (let seen = 0, i = end - 1; i >= 0; i--) {
    if (text[i] === 0x0a && ++seen === lines) return i + 1;
  }
  return lines === 0 ? text.length : 0;
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
 * the supervisor's notes of when the file grew (cli/log-times.ts).
 */
export async function printLog(
  file: string,
  prefix: string,
  follow: boolean,
  tail?: number,
  view: LogView = {},
): Promise<void> {
  let offset = tail === undefined ? 0 : tailOffset(file, tail);
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
  const drain = () => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    // Shorter than what was read: the file was removed with its container and a new one of
    // the same name writes it again (a recreate): follow it from its start, as tail -F does.
    if (fs.fstatSync(fd).size < offset) {
      offset = 0;
      partial = Buffer.alloc(0);
    }
    clock?.refresh();
    try {
      const buf = Buffer.alloc(64 * 1024);
      let n: number;
      while ((n = fs.readSync(fd, buf, 0, buf.length, offset)) > 0) {
        // Whole lines only, split as bytes: a character cut by the chunk boundary stays whole.
        const data = Buffer.concat([partial, buf.subarray(0, n)]);
        const start = offset - partial.length;
        offset += n;
        let out = '';
        let from = 0;
        for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, from)) {
          out += show(data.subarray(from, nl), start + nl + 1);
          from = nl + 1;
        }
        partial = Buffer.from(data.subarray(from));
        if (out) process.stdout.write(out);
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  drain();
  if (!follow) {
    if (partial.length > 0) process.stdout.write(show(partial, offset));
    return;
  }
  await new Promise<void>(() => {
    fs.watchFile(file, { interval: 200 }, drain);
  });
}
