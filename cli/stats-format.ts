// `stack stats` figures in docker's words: the units of docker's go-units (binary for
// memory, `1.504MiB`; decimal for network and block I/O, `1.23kB`) and the JSON object of
// `docker compose stats --format json`, with stack's raw numbers added under their own names.

import type { ContainerStats } from '../executor/host.js';

const BINARY = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
const DECIMAL = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** go-units' CustomSize: `%.<digits>g<unit>`. */
function size(bytes: number, base: number, units: string[], digits: number): string {
  let value = bytes;
  let i = 0;
  while (value >= base && i < units.length - 1) {
    value /= base;
    i++;
  }
  return `${Number(value.toPrecision(digits))}${units[i]}`;
}

export const binarySize = (bytes: number) => size(bytes, 1024, BINARY, 4);
export const decimalSize = (bytes: number) => size(bytes, 1000, DECIMAL, 3);

/** One container's sample; `cpuPercent` from two samples of its CPU time. */
export interface StatsRow {
  name: string;
  cpuPercent: number;
  stats: ContainerStats;
}

export function statsJson(r: StatsRow) {
  const s = r.stats;
  return {
    BlockIO: `${decimalSize(s.blockReadBytes)} / ${decimalSize(s.blockWriteBytes)}`,
    CPUPerc: `${r.cpuPercent.toFixed(2)}%`,
    Container: r.name,
    ID: r.name,
    MemPerc: `${memPercent(s).toFixed(2)}%`,
    MemUsage: `${binarySize(s.memoryBytes)} / ${binarySize(s.memoryLimitBytes)}`,
    Name: r.name,
    NetIO: `${decimalSize(s.netRxBytes)} / ${decimalSize(s.netTxBytes)}`,
    PIDs: String(s.pids),
    ...s,
    cpuPercent: r.cpuPercent,
  };
}

const memPercent = (s: ContainerStats) => (s.memoryLimitBytes > 0 ? (s.memoryBytes * 100) / s.memoryLimitBytes : 0);

export function statsTable(rows: StatsRow[]): string[][] {
  const table = [['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS']];
  for (const r of rows) {
    const j = statsJson(r);
    table.push([j.ID, j.Name, j.CPUPerc, j.MemUsage, j.MemPerc, j.NetIO, j.BlockIO, j.PIDs]);
  }
  return table;
}

/** A stopped container's row (`-a`): zeros, as docker shows it. */
export const NO_STATS: ContainerStats = {
  cpuNs: 0,
  memoryBytes: 0,
  memoryLimitBytes: 0,
  pids: 0,
  netRxBytes: 0,
  netTxBytes: 0,
  blockReadBytes: 0,
  blockWriteBytes: 0,
};
