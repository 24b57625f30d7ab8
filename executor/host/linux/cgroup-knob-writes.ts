// What the cgroup knobs of a container's Resources mean as cgroup files (cpu_period and
// cpu_quota, cpuset, mem_swappiness, oom_kill_disable, blkio_config, extra device rules),
// on v1 and v2, beside cgroup-limits.ts's memory, cpus and pids. Pure: block devices come
// as their `MAJOR:MINOR` from the caller, and which weight file the kernel offers is asked
// through `has`. v2 has no swappiness or OOM-killer switch: the loader warns of those
// (planner/load/rules/cgroup-knob-notes.ts), and nothing is written here.

import type { BlkioDeviceValue, Resources } from '../../../model/types.js';
import type { CgroupVersion, CgroupWrite } from './cgroup-limits.js';

/** The kernel's default CFS period, used on v2 when only cpu_quota is given. */
const DEFAULT_PERIOD_US = 100_000;

export interface KnobContext {
  /** `MAJOR:MINOR` of a block device path of blkio_config. */
  deviceNumber: (path: string) => string;
  /** Whether the kernel offers this file in the container's group (v1: of the controller). */
  has: (controller: CgroupWrite['controller'], file: string) => boolean;
}

export class CgroupKnobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CgroupKnobError';
  }
}

/** The weight file this kernel offers: CFQ's, BFQ's (v1), or iocost's, BFQ's (v2). */
function weightFile(version: CgroupVersion, ctx: KnobContext): string {
  const files = version === 'v1' ? ['blkio.weight', 'blkio.bfq.weight'] : ['io.weight', 'io.bfq.weight'];
  const found = files.find((f) => ctx.has(version === 'v1' ? 'blkio' : 'io', f));
  if (!found)
    throw new CgroupKnobError(
      `blkio_config weight: this kernel offers no block I/O weight (${files.join(' or ')}: the BFQ scheduler or io cost control); leave weight and weight_device out`,
    );
  return found;
}

function blkioWrites(version: CgroupVersion, r: Resources, ctx: KnobContext): CgroupWrite[] {
  const b = r.blkio;
  if (!b) return [];
  const w: CgroupWrite[] = [];
  const dev = (v: BlkioDeviceValue) => `${ctx.deviceNumber(v.path)} ${v.value}`;
  if (b.weight !== undefined || b.weightDevice.length > 0) {
    const file = weightFile(version, ctx);
    const controller = version === 'v1' ? 'blkio' : 'io';
    if (b.weight !== undefined)
      w.push({ controller, file, value: version === 'v2' ? `default ${b.weight}` : String(b.weight) });
    for (const v of b.weightDevice) w.push({ controller, file, value: dev(v) });
  }
  const rates: [BlkioDeviceValue[], string, string][] = [
    [b.readBps, 'blkio.throttle.read_bps_device', 'rbps'],
    [b.writeBps, 'blkio.throttle.write_bps_device', 'wbps'],
    [b.readIops, 'blkio.throttle.read_iops_device', 'riops'],
    [b.writeIops, 'blkio.throttle.write_iops_device', 'wiops'],
  ];
  if (version === 'v1') {
    for (const [values, file] of rates) for (const v of values) w.push({ controller: 'blkio', file, value: dev(v) });
    return w;
  }
  // v2: one io.max line per device, every limit of it on that line.
  const perDevice = new Map<string, string[]>();
  for (const [values, , key] of rates) {
    for (const v of values) {
      const number = ctx.deviceNumber(v.path);
      perDevice.set(number, [...(perDevice.get(number) ?? []), `${key}=${v.value}`]);
    }
  }
  for (const [number, limits] of perDevice)
    w.push({ controller: 'io', file: 'io.max', value: `${number} ${limits.join(' ')}` });
  return w;
}

function cpuWrites(version: CgroupVersion, r: Resources): CgroupWrite[] {
  const w: CgroupWrite[] = [];
  if (version === 'v1') {
    if (r.cpuPeriodUs !== undefined)
      w.push({ controller: 'cpu', file: 'cpu.cfs_period_us', value: String(r.cpuPeriodUs) });
    if (r.cpuQuotaUs !== undefined)
      w.push({ controller: 'cpu', file: 'cpu.cfs_quota_us', value: String(r.cpuQuotaUs) });
  } else if (r.cpuPeriodUs !== undefined || r.cpuQuotaUs !== undefined) {
    const quota = r.cpuQuotaUs === undefined || r.cpuQuotaUs < 0 ? 'max' : String(r.cpuQuotaUs);
    w.push({ controller: 'cpu', file: 'cpu.max', value: `${quota} ${r.cpuPeriodUs ?? DEFAULT_PERIOD_US}` });
  }
  if (r.cpuset !== undefined) w.push({ controller: 'cpuset', file: 'cpuset.cpus', value: r.cpuset });
  return w;
}

/** The writes after cgroup-limits.ts's; `extraDeviceRules` go to devices.allow on v1 (v2: into the eBPF program). */
export function knobWrites(
  version: CgroupVersion,
  r: Resources,
  extraDeviceRules: string[],
  privileged: boolean,
  ctx: KnobContext,
): CgroupWrite[] {
  const w = cpuWrites(version, r);
  if (version === 'v1') {
    if (r.memorySwappiness !== undefined)
      w.push({ controller: 'memory', file: 'memory.swappiness', value: String(r.memorySwappiness) });
    if (r.oomKillDisable) w.push({ controller: 'memory', file: 'memory.oom_control', value: '1' });
    if (!privileged)
      for (const rule of extraDeviceRules) w.push({ controller: 'devices', file: 'devices.allow', value: rule });
  }
  return [...w, ...blkioWrites(version, r, ctx)];
}

/** The v1 controllers (beyond the ones every container gets) and v2 controllers these knobs need. */
export function knobControllers(r: Resources): ('cpuset' | 'blkio' | 'io')[] {
  const out: ('cpuset' | 'blkio' | 'io')[] = [];
  if (r.cpuset !== undefined) out.push('cpuset');
  if (r.blkio) out.push('blkio', 'io');
  return out;
}
