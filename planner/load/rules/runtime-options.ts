// Runtime options docker itself refuses, found in the file so nothing starts and `config`
// shows them at their line: sysctls that are not namespaced (they would change the host)
// and ulimits with an unknown name or a soft limit above the hard one. Unknown capabilities
// are service-fields.ts's (with a "did you mean").

import { ULIMIT_NAMES } from '../../../model/limits.js';
import { toInt } from '../coerce.js';
import type { PathSeg } from '../source-map.js';
import { obj, type Obj, type RuleContext } from './context.js';

/** Sysctls of the ipc, uts and net namespaces (docker's list); net.* only with a network namespace of its own. */
export function isNamespacedSysctl(name: string, networkMode: string | undefined): boolean {
  if (name.startsWith('net.')) return networkMode !== 'host';
  if (name.startsWith('fs.mqueue.')) return true;
  return [
    'kernel.msgmax',
    'kernel.msgmnb',
    'kernel.msgmni',
    'kernel.sem',
    'kernel.shmall',
    'kernel.shmmax',
    'kernel.shmmni',
    'kernel.shm_rmid_forced',
    'kernel.domainname',
  ].includes(name);
}

/** The sysctl names a service sets, each with where it is written (a map key or a `NAME=VALUE` list item). */
function sysctlNames(name: string, svc: Obj): { sysctl: string; path: PathSeg[]; where: 'key' | 'value' }[] {
  const base: PathSeg[] = ['services', name, 'sysctls'];
  const v = svc.sysctls;
  if (Array.isArray(v)) {
    return v.flatMap((e, i) =>
      typeof e === 'string' || typeof e === 'number'
        ? [{ sysctl: String(e).split('=')[0]!, path: [...base, i], where: 'value' as const }]
        : [],
    );
  }
  return Object.keys(obj(v) ?? {}).map((sysctl) => ({ sysctl, path: [...base, sysctl], where: 'key' as const }));
}

function sysctls(ctx: RuleContext, name: string, svc: Obj): void {
  const networkMode = typeof svc.network_mode === 'string' ? svc.network_mode : undefined;
  for (const { sysctl, path, where } of sysctlNames(name, svc)) {
    if (isNamespacedSysctl(sysctl, networkMode)) continue;
    ctx.at(
      path,
      sysctl.startsWith('net.')
        ? `service ${name}: sysctl ${sysctl} would change the host's network stack (network_mode: host); docker refuses it too`
        : `service ${name}: sysctl ${sysctl} is not namespaced; docker refuses it too (it would change the host's kernel)`,
      where,
    );
  }
}

function ulimits(ctx: RuleContext, name: string, svc: Obj): void {
  for (const [limit, value] of Object.entries(obj(svc.ulimits) ?? {})) {
    const path: PathSeg[] = ['services', name, 'ulimits', limit];
    if (!ULIMIT_NAMES.includes(limit)) {
      ctx.at(path, `service ${name}: unknown ulimit ${limit}; known: ${ULIMIT_NAMES.join(', ')}`, 'key');
      continue;
    }
    // One number sets both limits; only a mapping can give a soft one above the hard one
    // (the schema reports one that lacks either).
    const soft = toInt(obj(value)?.soft);
    const hard = toInt(obj(value)?.hard);
    if (soft === undefined || hard === undefined || hard < 0 || soft <= hard) continue;
    ctx.at([...path, 'soft'], `service ${name}: ulimit ${limit}: soft limit ${soft} is above the hard limit ${hard}`);
  }
}

export function checkRuntimeOptions(ctx: RuleContext, name: string, svc: Obj): void {
  sysctls(ctx, name, svc);
  ulimits(ctx, name, svc);
}
