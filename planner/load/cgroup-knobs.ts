// The cgroup and process knobs docker keeps in HostConfig.Resources, from a validated
// service: CFS period and quota, cpuset, swappiness, the OOM killer's settings, block I/O
// weights and rates, device nodes and device cgroup rules. Only what the file gives is set,
// so a container without them keeps the config hash it had. Assumes the schema and the
// rules (rules/cgroup-knobs.ts) passed.

import { parseSize, toBool, toInt } from './coerce.js';
import { parseDuration } from '../../model/duration.js';
import type { BlkioConfig, BlkioDeviceValue, DeviceMapping, Resources } from '../../model/types.js';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** docker's ValidDeviceMode: one to three of r, w and m. */
export const isDevicePermissions = (s: string): boolean => /^[rwm]{1,3}$/.test(s);

/** docker's parseDevice: `HOST`, `HOST:CONTAINER`, `HOST:PERMS` or `HOST:CONTAINER:PERMS`. */
export function parseDevice(v: unknown): DeviceMapping {
  if (typeof v !== 'string') {
    const o = obj(v);
    const source = String(o.source);
    return {
      source,
      target: typeof o.target === 'string' ? o.target : source,
      permissions: typeof o.permissions === 'string' ? o.permissions : 'rwm',
    };
  }
  const [source = '', second, third] = v.split(':');
  if (third !== undefined) return { source, target: second || source, permissions: third };
  if (second !== undefined && isDevicePermissions(second)) return { source, target: source, permissions: second };
  return { source, target: second || source, permissions: 'rwm' };
}

function deviceValues(v: unknown, key: 'weight' | 'rate', parse: (x: unknown) => number | undefined) {
  return list(v).flatMap((e): BlkioDeviceValue[] => {
    const value = parse(obj(e)[key]);
    const path = obj(e).path;
    return typeof path === 'string' && value !== undefined ? [{ path, value }] : [];
  });
}

function blkio(v: unknown): BlkioConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const b = obj(v);
  const out: BlkioConfig = {
    weightDevice: deviceValues(b.weight_device, 'weight', toInt),
    readBps: deviceValues(b.device_read_bps, 'rate', parseSize),
    writeBps: deviceValues(b.device_write_bps, 'rate', parseSize),
    readIops: deviceValues(b.device_read_iops, 'rate', toInt),
    writeIops: deviceValues(b.device_write_iops, 'rate', toInt),
  };
  const weight = toInt(b.weight);
  if (weight !== undefined && weight !== 0) out.weight = weight; // 0 is docker's "not set"
  return out;
}

/**
 * cgroup_parent as docker's cgroupfs driver reads it: relative to the cgroup root whether or
 * not it starts with `/`. Empty (or only `/`) is no parent. Assumes the rule refused `.`/`..`.
 */
export function cgroupParentPath(v: string): string | undefined {
  const segments = v.split('/').filter((s) => s !== '');
  return segments.length > 0 ? segments.join('/') : undefined;
}

/** cpu_rt_*: a number (or digits) is microseconds, as docker's flags; a string with a unit is a duration (compose's `400ms`). */
export function microseconds(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const seconds = parseDuration(v);
  return seconds === undefined ? undefined : Math.round(seconds * 1e6);
}

/** The knobs `s` sets (none of them: an empty object). */
export function cgroupKnobs(s: Obj): Partial<Resources> {
  const devices = s.devices === undefined ? undefined : list(s.devices).map(parseDevice);
  const rules = s.device_cgroup_rules === undefined ? undefined : list(s.device_cgroup_rules).map(String);
  const knobs: Partial<Resources> = {
    cpuPeriodUs: toInt(s.cpu_period),
    cpuQuotaUs: toInt(s.cpu_quota),
    cpuset: typeof s.cpuset === 'string' ? s.cpuset : undefined,
    // -1 is docker's "not set": the host's swappiness stays.
    memorySwappiness: toInt(s.mem_swappiness) === -1 ? undefined : toInt(s.mem_swappiness),
    oomKillDisable: toBool(s.oom_kill_disable),
    oomScoreAdj: toInt(s.oom_score_adj),
    cgroupParent: typeof s.cgroup_parent === 'string' ? cgroupParentPath(s.cgroup_parent) : undefined,
    cpuRtRuntimeUs: microseconds(s.cpu_rt_runtime),
    cpuRtPeriodUs: microseconds(s.cpu_rt_period),
    blkio: blkio(s.blkio_config),
    devices: devices?.length ? devices : undefined,
    deviceCgroupRules: rules?.length ? rules : undefined,
  };
  const given: Partial<Resources> = {};
  for (const key of Object.keys(knobs) as (keyof Resources)[])
    if (knobs[key] !== undefined) (given as Record<string, unknown>)[key] = knobs[key];
  return given;
}

/** `group_add` entries as strings (a number is a gid), or undefined when the file has none. */
export function groupAdd(v: unknown): string[] | undefined {
  const groups = list(v).map(String);
  return groups.length > 0 ? groups : undefined;
}
