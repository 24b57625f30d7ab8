// What rootless mode cannot do, refused at load where it is written: in the user's own
// namespaces nothing has a capability on the host, so these keys would otherwise fail at
// start with the kernel's EPERM or EACCES, after the stack's networks were already made.
//   privileged: true    copies the host's device nodes: mknod is refused in a user namespace
//   devices:            makes device nodes: the same
//   oom_score_adj < 0   lowering it needs CAP_SYS_RESOURCE on the host
//   ulimits above the hard limits of the user's own processes: raising one needs the same
// The caller says whether it runs rootless (LoadInput.hostRootless, from /proc/self/uid_map,
// never from an environment variable) and passes the hard limits it runs with.

import { sortDiagnostics, type Diagnostic } from '../../../model/diagnostics.js';
import { diagAtPath, type PathSeg, type SourceSet } from '../source-map.js';
import { list, obj } from './context.js';

/** The host a rootless load is for. */
export interface RootlessHost {
  /** Hard limits of the user's processes by ulimit name (`nofile` → 20000); Infinity for unlimited. */
  hardLimits: Record<string, number>;
}

const WHY =
  'in rootless mode nothing has a capability on the host; remove the key (or lower the value) for rootless use, or run this stack as root (see docs/rootless.md)';

const asNumber = (v: unknown): number | undefined => {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};
/** A ulimit's value as setrlimit takes it: -1 is unlimited. */
const limitValue = (v: unknown): number | undefined => {
  const n = asNumber(v);
  return n === -1 ? Infinity : n;
};
const shown = (n: number) => (n === Infinity ? 'unlimited' : String(n));

export function rootlessRefusals(raw: unknown, files: SourceSet, host?: RootlessHost): Diagnostic[] {
  if (!host) return [];
  const out: Diagnostic[] = [];
  const at = (name: string, keyPath: PathSeg[], message: string, where: 'key' | 'value' = 'key') =>
    out.push(diagAtPath(files, ['services', name, ...keyPath], `${message}: ${WHY}`, where));
  for (const [name, value] of Object.entries(obj(obj(raw)?.services) ?? {})) {
    const svc = obj(value);
    if (!svc) continue;
    if (svc.privileged === true || svc.privileged === 'true')
      at(
        name,
        ['privileged'],
        `privileged: true of service "${name}" cannot be run rootless: it gives the container the host's device nodes, which a user namespace may not make`,
        'value',
      );
    if (list(svc.devices).length > 0 || Object.keys(obj(svc.devices) ?? {}).length > 0)
      at(
        name,
        ['devices'],
        `devices of service "${name}" cannot be given rootless: a user namespace may not make device nodes`,
      );
    const oom = asNumber(svc.oom_score_adj);
    if (oom !== undefined && oom < 0)
      at(
        name,
        ['oom_score_adj'],
        `oom_score_adj ${oom} of service "${name}" cannot be set rootless: lowering it below 0 needs CAP_SYS_RESOURCE`,
        'value',
      );
    for (const [limit, v] of Object.entries(obj(svc.ulimits) ?? {})) {
      const max = host.hardLimits[limit];
      const wanted = Math.max(
        limitValue(v) ?? -Infinity,
        limitValue(obj(v)?.soft) ?? -Infinity,
        limitValue(obj(v)?.hard) ?? -Infinity,
      );
      if (max !== undefined && wanted > max)
        at(
          name,
          ['ulimits', limit],
          `ulimits.${limit} ${shown(wanted)} of service "${name}" is above the user's hard limit ${shown(max)}, which only a capability on the host may raise`,
        );
    }
  }
  return sortDiagnostics(out);
}
