// What `stack stats` does (loaded only when it runs; see stats.ts): samples each container's
// counters through the Host twice, a second apart (CPU % is the CPU time used between the
// two over the time between them, as docker's: 100% is one CPU busy), prints them, and
// without --no-stream goes on sampling until interrupted.

import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import type { ContainerStats } from '../../executor/host.js';
import { containerStatus, type ContainerStatusRow } from '../../supervisor/status.js';
import { EXIT } from '../errors.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { renderTable } from '../table.js';
import { UsageError } from '../usage-error.js';
import { NO_STATS, statsJson, statsTable, type StatsRow } from '../stats-format.js';

export interface StatsOptions {
  all?: boolean;
  format: string;
  /** commander's `--no-stream`: false when given. */
  stream: boolean;
  trunc: boolean;
}

const INTERVAL_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function stats(globals: GlobalOptions, services: string[], opts: StatsOptions): Promise<number> {
  if (opts.format !== 'table' && opts.format !== 'json')
    throw new UsageError(`unknown format "${opts.format}"; use table or json`);
  const project = projectOf(globals);
  const host = createLinuxHost();
  let previous = new Map<string, { cpuNs: number; at: bigint }>();
  const sample = async (rows: ContainerStatusRow[]) => {
    const taken = new Map<string, { stats: ContainerStats; at: bigint }>();
    for (const r of rows)
      if (r.state === 'running') {
        const s = await host.containers.stats(project, r.instance);
        if (s) taken.set(r.instance, { stats: s, at: process.hrtime.bigint() });
      }
    return taken;
  };
  for (let first = true; ; first = false) {
    const rows = await selected(project, services, opts.all === true);
    if (first) {
      previous = new Map([...(await sample(rows))].map(([k, v]) => [k, { cpuNs: v.stats.cpuNs, at: v.at }]));
      await sleep(INTERVAL_MS);
    }
    const now = await sample(rows);
    const out: StatsRow[] = rows
      .filter((r) => opts.all || now.has(r.instance))
      .map((r) => {
        const s = now.get(r.instance);
        const before = previous.get(r.instance);
        const cpuPercent =
          s && before && s.at > before.at ? ((s.stats.cpuNs - before.cpuNs) * 100) / Number(s.at - before.at) : 0;
        return { name: r.name, cpuPercent: Math.max(0, cpuPercent), stats: s?.stats ?? NO_STATS };
      });
    previous = new Map([...now].map(([k, v]) => [k, { cpuNs: v.stats.cpuNs, at: v.at }]));
    print(out, opts.format, opts.stream && process.stdout.isTTY === true);
    if (!opts.stream) return EXIT.ok;
    await sleep(INTERVAL_MS);
  }
}

async function selected(project: string, services: string[], all: boolean): Promise<ContainerStatusRow[]> {
  const rows = await containerStatus(project);
  const unknown = services.filter((s) => !rows.some((r) => r.service === s));
  // As top, kill and the other commands that act on services: exit 1.
  if (unknown.length > 0)
    throw new Error(
      unknown.map((s) => `service ${s} has no container in stack ${project}; \`stack up\` creates it`).join('\n'),
    );
  return rows
    .filter((r) => (all || r.state === 'running') && (services.length === 0 || services.includes(r.service)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function print(rows: StatsRow[], format: string, redraw: boolean): void {
  // On a terminal the stream redraws the screen in place, as docker's.
  const clear = redraw ? '\x1b[2J\x1b[H' : '';
  if (format === 'json') process.stdout.write(clear + rows.map((r) => `${JSON.stringify(statsJson(r))}\n`).join(''));
  else process.stdout.write(clear + renderTable(statsTable(rows)));
}
