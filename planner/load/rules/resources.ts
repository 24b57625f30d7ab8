// Resource limits the kernel or docker would refuse, or that could not work, found before
// anything is made: a container below 6 MiB is OOM-killed at once while `up` succeeds, a
// size past what the kernel can hold fails mid-apply with EINVAL, and a negative or zero
// `cpus` would write a quota the kernel refuses (docker refuses all of these as well). The
// host's CPU count is not the planner's to read: the caller passes it (LoadInput.hostCpus).

import { parseSize, toInt, toNumber } from '../coerce.js';
import type { PathSeg } from '../source-map.js';
import { obj, type Obj, type RuleContext } from './context.js';

/** docker's linuxMinMemory: "Minimum memory limit allowed is 6MB". */
export const MIN_MEMORY_BYTES = 6 * 1024 * 1024;
/** 4 PiB: swap defaults to twice the memory, and both must stay exact integers below the kernel's 2^63. */
export const MAX_SIZE_BYTES = 2 ** 52;
/** A CFS quota below 1 ms per 100 ms period is refused by the kernel; docker's range starts there too. */
const MIN_CPUS = 0.01;

interface Setting {
  path: PathSeg[];
  /** How the key is named in a message: `mem_limit`, `deploy.resources.limits.memory`. */
  key: string;
  raw: unknown;
}

function setting(svc: Obj, name: string, keys: string[]): Setting | undefined {
  let v: unknown = svc;
  for (const k of keys) v = obj(v)?.[k];
  return v === undefined || v === null ? undefined : { path: ['services', name, ...keys], key: keys.join('.'), raw: v };
}

const shown = (s: Setting) => (typeof s.raw === 'string' ? s.raw : String(s.raw));

function memory(ctx: RuleContext, name: string, s: Setting | undefined): number | undefined {
  if (!s) return undefined;
  const bytes = parseSize(s.raw);
  if (bytes === undefined) return undefined; // the schema says what is wrong with its shape
  if (bytes < MIN_MEMORY_BYTES) {
    ctx.at(
      s.path,
      `${s.key} ${shown(s)} of service "${name}" is below 6 MiB, the least docker lets a container run in (it would be killed for lack of memory at once); give at least 6m, or leave ${s.key} out for no limit`,
    );
  } else if (bytes > MAX_SIZE_BYTES) {
    ctx.at(
      s.path,
      `${s.key} ${shown(s)} of service "${name}" is more than the kernel can limit (at most 4 PiB); give a smaller size, or leave ${s.key} out for no limit`,
    );
  }
  return bytes;
}

function memorySettings(ctx: RuleContext, name: string, svc: Obj): void {
  const limit = [
    memory(ctx, name, setting(svc, name, ['deploy', 'resources', 'limits', 'memory'])),
    memory(ctx, name, setting(svc, name, ['mem_limit'])),
  ];
  const effective = limit[0] ?? limit[1];
  const swap = setting(svc, name, ['memswap_limit']);
  const swapBytes = swap && parseSize(swap.raw);
  if (swap && swapBytes !== undefined && swapBytes !== -1) {
    if (effective === undefined)
      ctx.at(
        swap.path,
        `memswap_limit of service "${name}" needs a memory limit (docker refuses it alone too); set mem_limit, or leave memswap_limit out`,
      );
    else if (swapBytes < effective)
      ctx.at(
        swap.path,
        `memswap_limit ${shown(swap)} of service "${name}" is below its memory limit; it counts memory and swap together, so give at least the memory limit, or -1 for unlimited swap`,
      );
    else if (swapBytes > MAX_SIZE_BYTES)
      ctx.at(
        swap.path,
        `memswap_limit ${shown(swap)} of service "${name}" is more than the kernel can limit (at most 4 PiB); give a smaller size, or -1 for unlimited swap`,
      );
  }
  for (const keys of [['deploy', 'resources', 'reservations', 'memory'], ['mem_reservation']]) {
    const r = setting(svc, name, keys);
    const bytes = r && parseSize(r.raw);
    if (!r || bytes === undefined) continue;
    if (bytes < 0 || bytes > MAX_SIZE_BYTES)
      ctx.at(r.path, `${r.key} ${shown(r)} of service "${name}" must be a size from 0 to 4 PiB`);
    else if (effective !== undefined && bytes > effective)
      ctx.at(
        r.path,
        `${r.key} ${shown(r)} of service "${name}" is above its memory limit; a reservation is at most the limit (docker refuses it too)`,
      );
  }
}

function cpuSettings(ctx: RuleContext, name: string, svc: Obj): void {
  for (const keys of [['deploy', 'resources', 'limits', 'cpus'], ['cpus']]) {
    const s = setting(svc, name, keys);
    const cpus = s && toNumber(s.raw);
    if (!s || cpus === undefined) continue;
    const range =
      ctx.hostCpus === undefined
        ? `from ${MIN_CPUS}`
        : `from ${MIN_CPUS} to ${ctx.hostCpus}, as this host has ${ctx.hostCpus} CPU${ctx.hostCpus === 1 ? '' : 's'}`;
    if (cpus < MIN_CPUS)
      ctx.at(
        s.path,
        `${s.key} ${shown(s)} of service "${name}" is out of range: give a number of CPUs ${range}, or leave ${s.key} out for no limit`,
      );
    else if (ctx.hostCpus !== undefined && cpus > ctx.hostCpus)
      ctx.at(
        s.path,
        `${s.key} ${shown(s)} of service "${name}" is more CPUs than this host has: give a number ${range}`,
      );
  }
  const shares = setting(svc, name, ['cpu_shares']);
  const n = shares && toInt(shares.raw);
  if (shares && n !== undefined && n < 0)
    ctx.at(
      shares.path,
      `cpu_shares ${shown(shares)} of service "${name}" is negative; give a weight from 2 to 262144 (docker's default is 1024), or leave it out`,
    );
}

function pidsSettings(ctx: RuleContext, name: string, svc: Obj): void {
  for (const keys of [['deploy', 'resources', 'limits', 'pids'], ['pids_limit']]) {
    const s = setting(svc, name, keys);
    const n = s && toInt(s.raw);
    if (s && n !== undefined && n < -1)
      ctx.at(
        s.path,
        `${s.key} ${shown(s)} of service "${name}" is below -1; give a number of processes, or 0 or -1 for no limit`,
      );
  }
}

export function checkResources(ctx: RuleContext, name: string, svc: Obj): void {
  memorySettings(ctx, name, svc);
  cpuSettings(ctx, name, svc);
  pidsSettings(ctx, name, svc);
}
