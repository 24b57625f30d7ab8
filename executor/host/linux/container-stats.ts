// What `stack stats` reads of a running container: its cgroups (memory, pids, CPU and block
// I/O) and its network namespace (/proc/PID/net/dev, read through the pid of its PID 1).
// cgroup v1 as this host mounts it has no cpuacct group per container and a blkio group only
// for blkio_config: CPU time and block I/O then come from its live processes (/proc/PID/stat
// with their reaped children's time, /proc/PID/io), which forgets processes that are gone.

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ContainerStats } from '../../host.js';
import { statFields } from '../../../store/proc-stat.js';
import { cgroupGroupOf, cgroupPids, cgroupVersion } from './cgroups.js';
import { blkioBytes, ioStatBytes, keyValues, limitOf, netDevBytes, procIoBytes, type ReadWrite } from './stat-files.js';

const TICK_NS = 1e7; // USER_HZ 100
const read = (file: string) => fs.readFile(file, 'utf8').catch(() => undefined);

/** utime + stime + cutime + cstime of each live process, in ns. */
async function processCpuNs(pids: number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks * TICK_NS;
}

async function processIo(pids: number[]): Promise<ReadWrite> {
  const sum = { read: 0, write: 0 };
  for (const pid of pids) {
    const text = await read(`/proc/${pid}/io`);
    if (text === undefined) continue;
    const io = procIoBytes(text);
    sum.read += io.read;
    sum.write += io.write;
  }
  return sum;
}

/**
 * The figures of a container whose PID 1 is `pid` (checked against its record by the caller);
 * `parent` is its cgroup_parent, from that record.
 */
export async function containerStats(
  project: string,
  name: string,
  pid: number,
  parent?: string,
): Promise<ContainerStats> {
  const group = (c: Parameters<typeof cgroupGroupOf>[0], file: string) =>
    read(path.join(cgroupGroupOf(c, project, name, parent), file));
  const pids = await cgroupPids(project, name, parent);
  const hostMemory = os.totalmem();
  const net = netDevBytes((await read(`/proc/${pid}/net/dev`)) ?? '');
  let memory: number, limit: number, cpuNs: number, block: ReadWrite;
  if (cgroupVersion() === 'v2') {
    const stat = keyValues((await group('memory', 'memory.stat')) ?? '');
    memory = Number((await group('memory', 'memory.current')) ?? 0) - (stat.get('inactive_file') ?? 0);
    limit = limitOf((await group('memory', 'memory.max')) ?? 'max', hostMemory);
    cpuNs = (keyValues((await group('cpu', 'cpu.stat')) ?? '').get('usage_usec') ?? 0) * 1000;
    // io.stat exists once the io controller is enabled for the group (blkio_config).
    const ioStat = await group('io', 'io.stat');
    block = ioStat !== undefined ? ioStatBytes(ioStat) : await processIo(pids);
  } else {
    // docker's figure: usage without the page cache the kernel may drop at once.
    const stat = keyValues((await group('memory', 'memory.stat')) ?? '');
    memory = Number((await group('memory', 'memory.usage_in_bytes')) ?? 0) - (stat.get('total_inactive_file') ?? 0);
    limit = limitOf((await group('memory', 'memory.limit_in_bytes')) ?? 'max', hostMemory);
    // cpuacct comounted with cpu (cpu,cpuacct on systemd hosts) counts exactly; else the processes.
    const usage = await group('cpu', 'cpuacct.usage');
    cpuNs = usage !== undefined ? Number(usage) : await processCpuNs(pids);
    const blkio = await group('blkio', 'blkio.throttle.io_service_bytes_recursive');
    block = blkio !== undefined ? blkioBytes(blkio) : await processIo(pids);
  }
  return {
    cpuNs,
    memoryBytes: Math.max(0, memory),
    memoryLimitBytes: limit,
    pids: Number((await group('pids', 'pids.current')) ?? pids.length),
    netRxBytes: net.rx,
    netTxBytes: net.tx,
    blockReadBytes: block.read,
    blockWriteBytes: block.write,
  };
}
