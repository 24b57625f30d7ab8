// Knobs that do nothing on a cgroup v2 host, each with a located warning, as docker warns
// there ("Your kernel does not support … Discarding"): v2 has no per-group swappiness and
// no switch to keep the OOM killer away. The host's cgroup version comes from the caller
// (LoadInput.hostCgroup); `config` checks the file alone and says nothing.

import { sortDiagnostics, type Diagnostic } from '../../../model/diagnostics.js';
import { toBool, toInt } from '../coerce.js';
import { diagAtPath, type SourceSet } from '../source-map.js';
import { obj } from './context.js';

export function cgroupKnobNotes(raw: unknown, files: SourceSet, hostCgroup?: 'v1' | 'v2'): Diagnostic[] {
  if (hostCgroup !== 'v2') return [];
  const out: Diagnostic[] = [];
  for (const [name, value] of Object.entries(obj(obj(raw)?.services) ?? {})) {
    const svc = obj(value);
    const swappiness = toInt(svc?.mem_swappiness);
    if (swappiness !== undefined && swappiness !== -1)
      out.push(
        diagAtPath(
          files,
          ['services', name, 'mem_swappiness'],
          `mem_swappiness of service "${name}" has no effect: this host has cgroup v2, which has no per-container swappiness (docker discards it there too)`,
          'key',
        ),
      );
    if (toBool(svc?.oom_kill_disable) === true)
      out.push(
        diagAtPath(
          files,
          ['services', name, 'oom_kill_disable'],
          `oom_kill_disable of service "${name}" has no effect: this host has cgroup v2, which cannot keep the OOM killer from a container (docker discards it there too)`,
          'key',
        ),
      );
  }
  return sortDiagnostics(out);
}
