// What develop.watch did, one line per action (`web: synced 3 files (12 ms)`, `api: rebuilt
// in 1.4 s, replaced`) on stderr, or with --format json one JSON object per line on stdout
// (`{"type":"watch","service":"web","action":"sync","files":3,"ms":12}`).

import type { ProgressFormat } from '../../progress-format.js';

export type WatchEvent =
  | { service: string; action: 'sync'; files: number; ms: number }
  | { service: string; action: 'restart'; ms: number }
  | { service: string; action: 'exec'; command: string[]; exitCode: number; ms: number }
  | { service: string; action: 'rebuild'; ms: number; replaced: boolean }
  | { service: string; action: 'sync' | 'restart' | 'exec' | 'rebuild'; error: string };

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

export function eventLine(e: WatchEvent): string {
  if ('error' in e)
    return e.action === 'rebuild'
      ? `${e.service}: rebuild failed; the running container is kept\n${e.error}`
      : `${e.service}: ${e.action} failed: ${e.error}`;
  switch (e.action) {
    case 'sync':
      return `${e.service}: synced ${plural(e.files, 'file')} (${e.ms} ms)`;
    case 'restart':
      return `${e.service}: restarted (${e.ms} ms)`;
    case 'exec':
      return `${e.service}: ran ${e.command.join(' ')}, exit ${e.exitCode} (${e.ms} ms)`;
    case 'rebuild':
      return `${e.service}: rebuilt in ${seconds(e.ms)}${e.replaced ? ', replaced' : ', unchanged'}`;
  }
}

export function watchReporter(format: ProgressFormat): (e: WatchEvent) => void {
  return format === 'json'
    ? (e) => process.stdout.write(`${JSON.stringify({ type: 'watch', ...e })}\n`)
    : (e) => process.stderr.write(`${eventLine(e)}\n`);
}
