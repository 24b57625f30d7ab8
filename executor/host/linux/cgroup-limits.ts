// What a container's Resources mean as cgroup files, on v1 (one tree per controller) and
// v2 (one unified tree). Pure: the writes are applied by cgroups.ts, and tests check them
// against a fake cgroupfs folder.

import type { Resources } from '../../../model/types.js';
import { DEVICE_ALLOW } from './device-rules.js';

export type CgroupVersion = 'v1' | 'v2';
export type Controller = 'memory' | 'cpu' | 'pids' | 'devices' | 'cpuset' | 'blkio' | 'io';

export interface CgroupWrite {
  controller: Controller;
  file: string;
  value: string;
  /** Written only when the kernel offers the file (swap accounting may be off). */
  optional?: boolean;
}

const CFS_PERIOD_US = 100_000;

/** docker's rule: no memswap_limit with a memory limit allows as much swap again as memory. */
function swapTotal(r: Resources): number | undefined {
  if (r.memoryBytes === undefined) return undefined;
  if (r.memorySwapBytes === undefined) return 2 * r.memoryBytes;
  return r.memorySwapBytes;
}

/** cpu.shares (2–262144, docker default 1024) → cpu.weight (1–10000, default 100), the runc formula. */
export function sharesToWeight(shares: number): number {
  return 1 + Math.floor(((Math.min(Math.max(shares, 2), 262_144) - 2) * 9999) / 262_142);
}

export function limitWrites(version: CgroupVersion, r: Resources, privileged: boolean): CgroupWrite[] {
  const w: CgroupWrite[] = [];
  const swap = swapTotal(r);
  if (version === 'v1') {
    if (r.memoryBytes !== undefined)
      w.push({ controller: 'memory', file: 'memory.limit_in_bytes', value: String(r.memoryBytes) });
    if (swap !== undefined)
      w.push({ controller: 'memory', file: 'memory.memsw.limit_in_bytes', value: String(swap), optional: true });
    if (r.memoryReservationBytes !== undefined)
      w.push({ controller: 'memory', file: 'memory.soft_limit_in_bytes', value: String(r.memoryReservationBytes) });
    if (r.cpus !== undefined) {
      w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(CFS_PERIOD_US) });
      w.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(Math.round(r.cpus * CFS_PERIOD_US)) });
    }
    if (r.cpuShares !== undefined) w.push({ controller: 'cpu', file: 'cpu.shares', value: String(r.cpuShares) });
    if (r.pidsLimit !== undefined && r.pidsLimit > 0)
      w.push({ controller: 'pids', file: 'pids.max', value: String(r.pidsLimit) });
    if (privileged) w.push({ controller: 'devices', file: 'devices.allow', value: 'a' });
    else {
      w.push({ controller: 'devices', file: 'devices.deny', value: 'a' });
      for (const rule of DEVICE_ALLOW) w.push({ controller: 'devices', file: 'devices.allow', value: rule });
    }
    return w;
  }
  if (r.memoryBytes !== undefined) w.push({ controller: 'memory', file: 'memory.max', value: String(r.memoryBytes) });
  if (swap !== undefined && r.memoryBytes !== undefined) {
    const value = swap < 0 ? 'max' : String(Math.max(0, swap - r.memoryBytes));
    w.push({ controller: 'memory', file: 'memory.swap.max', value, optional: true });
  }
  if (r.memoryReservationBytes !== undefined)
    w.push({ controller: 'memory', file: 'memory.low', value: String(r.memoryReservationBytes) });
  if (r.cpus !== undefined)
    w.push({ controller: 'cpu', file: 'cpu.max', value: `${Math.round(r.cpus * CFS_PERIOD_US)} ${CFS_PERIOD_US}` });
  if (r.cpuShares !== undefined)
    w.push({ controller: 'cpu', file: 'cpu.weight', value: String(sharesToWeight(r.cpuShares)) });
  if (r.pidsLimit !== undefined && r.pidsLimit > 0)
    w.push({ controller: 'pids', file: 'pids.max', value: String(r.pidsLimit) });
  // v2 has no devices file: cgroups.ts attaches the same list as an eBPF program (device-program.ts).
  return w;
}

/** The file that counts OOM kills in the container's memory group, and its count. */
export const OOM_FILE: Record<CgroupVersion, string> = { v1: 'memory.oom_control', v2: 'memory.events' };

/** `oom_kill N` in memory.oom_control (v1) or memory.events (v2); 0 when absent. */
export function parseOomKills(text: string): number {
  const m = /^oom_kill (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}
