// cpu_rt_runtime / cpu_rt_period: the realtime CPU budget of a container's cpu group. Only
// cgroup v1's cpu controller on a kernel built with CONFIG_RT_GROUP_SCHED has it
// (cpu.rt_runtime_us, cpu.rt_period_us); v2 has no such knob at all. The file alone: the
// runtime fits in the period, as the kernel demands. The host (LoadInput.hostCgroup,
// .hostRtGroupSched, given by the CLI; `config` checks the file alone): a host without the
// files refuses the keys at their line, as docker refuses them ("Your kernel does not
// support CPU real-time scheduler") instead of starting a container without its budget.

import type { Diagnostic } from '../../../model/diagnostics.js';
import { DEFAULT_RT_PERIOD_US } from '../../../model/types.js';
import { microseconds } from '../cgroup-knobs.js';
import { diagAtPath, type SourceSet } from '../source-map.js';
import { obj, type Obj, type RuleContext } from './context.js';

const KEYS = ['cpu_rt_runtime', 'cpu_rt_period'] as const;

export function checkCpuRt(ctx: RuleContext, name: string, svc: Obj): void {
  const runtime = microseconds(svc.cpu_rt_runtime);
  const period = microseconds(svc.cpu_rt_period);
  if (period === 0)
    ctx.at(
      ['services', name, 'cpu_rt_period'],
      `cpu_rt_period of service "${name}" is 0; give a period of 1µs or more`,
    );
  else if (runtime !== undefined && runtime > (period ?? DEFAULT_RT_PERIOD_US))
    ctx.at(
      ['services', name, 'cpu_rt_runtime'],
      `cpu_rt_runtime ${runtime}µs of service "${name}" is longer than its period of ${period ?? DEFAULT_RT_PERIOD_US}µs${period === undefined ? " (the kernel's default)" : ''}; give a runtime within the period`,
    );
}

export interface RtHost {
  cgroup?: 'v1' | 'v2';
  /** cgroup v1's cpu controller has cpu.rt_runtime_us (a kernel with CONFIG_RT_GROUP_SCHED). */
  rtGroupSched?: boolean;
}

/** The keys a host without realtime group scheduling cannot honour, each an error at its line. */
export function cpuRtHostProblems(raw: unknown, files: SourceSet, host: RtHost): Diagnostic[] {
  const why =
    host.cgroup === 'v2'
      ? 'this host has cgroup v2, which has no realtime budget per group (cpu.rt_runtime_us is cgroup v1 only); leave it out, or run the host on cgroup v1'
      : host.rtGroupSched === false
        ? 'this kernel has no realtime group scheduling (CONFIG_RT_GROUP_SCHED: its cpu groups have no cpu.rt_runtime_us); leave it out, or boot a kernel built with it'
        : undefined;
  if (why === undefined) return [];
  const out: Diagnostic[] = [];
  for (const [name, value] of Object.entries(obj(obj(raw)?.services) ?? {}))
    for (const key of KEYS)
      if (obj(value)?.[key] !== undefined)
        out.push(diagAtPath(files, ['services', name, key], `${key} of service "${name}": ${why}`, 'key'));
  return out;
}
