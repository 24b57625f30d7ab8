// What `stack logs` does (loaded only when it runs; see logs.ts). `up` uses printLog too.

import fs from 'node:fs';
import { containerStatus, logFileOf } from '../../supervisor/status.js';
import { EXIT } from '../errors.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';
import { logPrefixes, wantsColor } from '../log-prefixes.js';

export interface LogsOptions {
  follow?: boolean;
  /** Lines from the end of each container's log: a number or "all" (compose's default). */
  tail?: string;
  /** false with --no-color. */
  color?: boolean;
}

export async function logs(globals: GlobalOptions, services: string[], opts: LogsOptions): Promise<number> {
  const project = projectOf(globals);
  const rows = await containerStatus(project);
  const unknown = services.filter((s) => !rows.some((r) => r.service === s));
  if (unknown.length > 0) throw new UsageError(`no container for service ${unknown.join(', ')} in stack ${project}; \`stack ps\` lists them`);
  const tail = opts.tail === undefined || opts.tail === 'all' ? undefined : Number(opts.tail);
  if (tail !== undefined && !(Number.isInteger(tail) && tail >= 0)) throw new UsageError(`--tail takes a number of lines or "all", not "${opts.tail}"`);
  const chosen = rows.filter((r) => services.length === 0 || services.includes(r.service));
  const prefixes = chosen.length > 1 ? logPrefixes(chosen.map((r) => r.service), wantsColor(process.stdout, opts.color === false)) : chosen.map(() => '');
  await Promise.all(chosen.map((r, i) => printLog(logFileOf(project, r.name), prefixes[i]!, !!opts.follow, tail)));
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

/**
 * Prints a log file (its last `tail` lines when given) and, with follow, what is appended
 * to it until interrupted.
 */
export async function printLog(file: string, prefix: string, follow: boolean, tail?: number): Promise<void> {
  let offset = tail === undefined ? 0 : tailOffset(file, tail);
  let partial = '';
  const drain = () => {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      let n: number;
      while ((n = fs.readSync(fd, buf, 0, buf.length, offset)) > 0) {
        offset += n;
        const lines = (partial + buf.subarray(0, n).toString('utf8')).split('\n');
        partial = lines.pop() ?? '';
        if (lines.length > 0) process.stdout.write(lines.map((l) => prefix + l + '\n').join(''));
      }
    } finally {
      fs.closeSync(fd);
    }
  };
  drain();
  if (!follow) {
    if (partial) process.stdout.write(prefix + partial + '\n');
    return;
  }
  await new Promise<void>(() => {
    fs.watchFile(file, { interval: 200 }, drain);
  });
}
