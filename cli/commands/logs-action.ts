// What `stack logs` does (loaded only when it runs; see logs.ts). `up` uses printLog too.

import fs from 'node:fs';
import { containerStatus, logFileOf } from '../../supervisor/status.js';
import { EXIT } from '../errors.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';

export interface LogsOptions {
  follow?: boolean;
}

export async function logs(globals: GlobalOptions, services: string[], opts: LogsOptions): Promise<number> {
  const project = projectOf(globals);
  const rows = await containerStatus(project);
  const unknown = services.filter((s) => !rows.some((r) => r.service === s));
  if (unknown.length > 0) throw new UsageError(`no container for service ${unknown.join(', ')} in stack ${project}; \`stack ps\` lists them`);
  const chosen = rows.filter((r) => services.length === 0 || services.includes(r.service));
  const prefix = chosen.length > 1;
  const width = Math.max(0, ...chosen.map((r) => r.service.length));
  await Promise.all(chosen.map((r) => printLog(logFileOf(project, r.name), prefix ? `${r.service.padEnd(width)} | ` : '', !!opts.follow)));
  return EXIT.ok;
}

/** Prints a log file and, with follow, what is appended to it until interrupted. */
export async function printLog(file: string, prefix: string, follow: boolean): Promise<void> {
  let offset = 0;
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
