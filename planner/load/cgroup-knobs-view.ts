// The cgroup knobs of a Service as `stack config` prints them (compose's key names and
// forms), only those the file set: the inverse of cgroup-knobs.ts.

import type { BlkioDeviceValue, Service } from '../../model/types.js';

const perDevice = (values: BlkioDeviceValue[], key: 'weight' | 'rate') =>
  values.length ? values.map((v) => ({ path: v.path, [key]: v.value })) : undefined;

const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

export function cgroupKnobsView(s: Service): Record<string, unknown> {
  const r = s.resources;
  const b = r.blkio;
  return {
    blkio_config:
      b &&
      defined({
        weight: b.weight,
        weight_device: perDevice(b.weightDevice, 'weight'),
        device_read_bps: perDevice(b.readBps, 'rate'),
        device_write_bps: perDevice(b.writeBps, 'rate'),
        device_read_iops: perDevice(b.readIops, 'rate'),
        device_write_iops: perDevice(b.writeIops, 'rate'),
      }),
    cpu_period: r.cpuPeriodUs,
    cpu_quota: r.cpuQuotaUs,
    cpuset: r.cpuset,
    device_cgroup_rules: r.deviceCgroupRules,
    devices: r.devices?.map((d) => ({ source: d.source, target: d.target, permissions: d.permissions })),
    group_add: s.groupAdd,
    mem_swappiness: r.memorySwappiness,
    oom_kill_disable: r.oomKillDisable,
    oom_score_adj: r.oomScoreAdj,
    cgroup_parent: r.cgroupParent,
    cpu_rt_runtime: r.cpuRtRuntimeUs,
    cpu_rt_period: r.cpuRtPeriodUs,
  };
}
