// Ranges docker refuses for the cgroup knobs (its daemon's verifyPlatformContainerResources
// and the CLI's parsers), found at their line before anything is made: a CFS period outside
// 1 ms–1 s or a quota below 1 ms, cpus together with cpu_period/cpu_quota, a cpuset naming
// a CPU this host lacks, swappiness outside 0–100, oom_score_adj outside ±1000, block I/O
// weights outside 10–1000.

import path from 'node:path';
import { parseSize, toInt } from '../coerce.js';
import { parseDevice } from '../cgroup-knobs.js';
import type { PathSeg } from '../source-map.js';
import { list, obj, type Obj, type RuleContext } from './context.js';
import { checkCgroupParent } from './cgroup-parent.js';
import { checkCpuRt } from './cpu-rt.js';

function intIn(
  ctx: RuleContext,
  path: PathSeg[],
  raw: unknown,
  [min, max]: [number, number],
  [key, service]: [string, string],
  extra = '',
): number | undefined {
  const n = toInt(raw);
  if (n === undefined) return undefined; // the schema says what is wrong with its shape
  if (n < min || n > max)
    ctx.at(path, `${key} ${n} of service "${service}" is out of range: give a number from ${min} to ${max}${extra}`);
  return n;
}

/** `0-2,4` → the CPUs it names; a range written backwards is reported. */
function cpusetCpus(ctx: RuleContext, path: PathSeg[], text: string, service: string): number[] {
  const cpus: number[] = [];
  for (const part of text.split(',')) {
    const [from, to = from] = part.split('-').map(Number) as [number, number?];
    if (to! < from) {
      ctx.at(path, `cpuset "${text}" of service "${service}" has the range ${part} backwards; write it low-high`);
      return [];
    }
    for (let c = from; c <= to!; c++) cpus.push(c);
  }
  return cpus;
}

function cpuKnobs(ctx: RuleContext, name: string, svc: Obj): void {
  const at = (key: string): PathSeg[] => ['services', name, key];
  const period = intIn(
    ctx,
    at('cpu_period'),
    svc.cpu_period,
    [1000, 1_000_000],
    ['cpu_period', name],
    ' µs (1 ms to 1 s)',
  );
  const quota = toInt(svc.cpu_quota);
  if (quota !== undefined && quota !== -1 && quota < 1000)
    ctx.at(
      at('cpu_quota'),
      `cpu_quota ${quota} of service "${name}" is below 1000 µs (1 ms), the least the kernel takes; give at least 1000, or -1 for no limit`,
    );
  const cpus = svc.cpus ?? obj(obj(obj(svc.deploy)?.resources)?.limits)?.cpus;
  if (cpus !== undefined && (period !== undefined || quota !== undefined)) {
    const key = quota !== undefined ? 'cpu_quota' : 'cpu_period';
    ctx.at(
      at(key),
      `${key} and cpus of service "${name}" both set the CPU limit (docker refuses them together); keep one of them`,
      'key',
    );
  }
  if (typeof svc.cpuset === 'string' && /^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(svc.cpuset)) {
    const host = ctx.hostCpus;
    const missing = cpusetCpus(ctx, at('cpuset'), svc.cpuset, name).find((c) => host !== undefined && c >= host);
    if (missing !== undefined)
      ctx.at(
        at('cpuset'),
        `cpuset "${svc.cpuset}" of service "${name}" names CPU ${missing}, and this host has CPUs 0-${host! - 1} only`,
      );
  }
}

function blkioKnobs(ctx: RuleContext, name: string, svc: Obj): void {
  const b = obj(svc.blkio_config);
  if (!b) return;
  const base: PathSeg[] = ['services', name, 'blkio_config'];
  const weight = toInt(b.weight);
  if (weight !== 0)
    intIn(ctx, [...base, 'weight'], b.weight, [10, 1000], ['blkio_config.weight', name], ', or 0 for none');
  list(b.weight_device).forEach((e, i) =>
    intIn(
      ctx,
      [...base, 'weight_device', i, 'weight'],
      obj(e)?.weight,
      [10, 1000],
      ['blkio_config.weight_device weight', name],
    ),
  );
  for (const key of ['device_read_bps', 'device_write_bps', 'device_read_iops', 'device_write_iops']) {
    list(b[key]).forEach((e, i) => {
      const rate = obj(e)?.rate;
      const n = key.endsWith('bps') ? parseSize(rate) : toInt(rate);
      if (n !== undefined && n < 0)
        ctx.at(
          [...base, key, i, 'rate'],
          `blkio_config.${key} rate of service "${name}" is negative; give a rate of 0 or more`,
        );
    });
  }
}

/** stack makes device nodes in the container's /dev (a tmpfs of its own), as almost every file asks. */
function deviceTargets(ctx: RuleContext, name: string, svc: Obj): void {
  list(svc.devices).forEach((e, i) => {
    if (typeof e !== 'string' && !obj(e)) return;
    const d = parseDevice(e);
    const target = path.posix.normalize(d.target);
    if (
      !target.startsWith('/dev/') ||
      target === '/dev/pts' ||
      target.startsWith('/dev/pts/') ||
      target === '/dev/shm' ||
      target.startsWith('/dev/shm/')
    )
      ctx.at(
        ['services', name, 'devices', i],
        `devices entry "${d.source}" of service "${name}" goes to ${d.target}: stack makes device nodes under /dev only (not in /dev/pts or /dev/shm); give a target there`,
      );
  });
}

export function checkCgroupKnobs(ctx: RuleContext, name: string, svc: Obj): void {
  const at = (key: string): PathSeg[] => ['services', name, key];
  deviceTargets(ctx, name, svc);
  checkCgroupParent(ctx, name, svc);
  checkCpuRt(ctx, name, svc);
  intIn(ctx, at('oom_score_adj'), svc.oom_score_adj, [-1000, 1000], ['oom_score_adj', name]);
  if (toInt(svc.mem_swappiness) !== -1)
    intIn(
      ctx,
      at('mem_swappiness'),
      svc.mem_swappiness,
      [0, 100],
      ['mem_swappiness', name],
      ', or -1 for the host default',
    );
  cpuKnobs(ctx, name, svc);
  blkioKnobs(ctx, name, svc);
}
