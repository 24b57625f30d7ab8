// The flags of up-flags.ts turned into reconcile options: which services,
// recreate or not, replicas. Bad combinations are usage errors before anything runs.

import type { ReconcileOptions } from '../planner/plan/reconcile.js';
import { UsageError } from './usage-error.js';
import { composeBool } from './compose-env.js';
import type { UpFlags } from './up-flags.js';

export function reconcileOptions(flags: UpFlags, services: string[] = []): ReconcileOptions {
  // commander sets `recreate: false` for --no-recreate.
  const noRecreate = (flags as { recreate?: boolean }).recreate === false || !!flags.noRecreate;
  if (flags.forceRecreate && noRecreate)
    throw new UsageError('--force-recreate and --no-recreate contradict each other; pass one of them');
  if (flags.alwaysRecreateDeps && noRecreate)
    throw new UsageError('--always-recreate-deps and --no-recreate contradict each other; pass one of them');
  const noDeps = flags.deps === false;
  if (noDeps && services.length === 0)
    throw new UsageError('--no-deps only makes sense with SERVICE names: `up --no-deps SERVICE…`');
  const options: ReconcileOptions = {
    forceRecreate: !!flags.forceRecreate,
    removeOrphans: !!flags.removeOrphans || composeBool('COMPOSE_REMOVE_ORPHANS'),
  };
  if (composeBool('COMPOSE_IGNORE_ORPHANS')) options.ignoreOrphans = true;
  if (noRecreate) options.noRecreate = true;
  if (services.length > 0) options.services = services;
  if (noDeps) options.noDeps = true;
  if (flags.alwaysRecreateDeps) options.alwaysRecreateDeps = true;
  if (flags.renewAnonVolumes) options.renewAnonVolumes = true;
  if (flags.scale?.length) options.scale = parseScale(flags.scale);
  return options;
}

function parseScale(entries: string[]): Record<string, number> {
  const scale: Record<string, number> = {};
  for (const entry of entries) {
    const m = /^([^=]+)=(\d+)$/.exec(entry);
    if (!m) throw new UsageError(`--scale takes SERVICE=N with N a whole number (0 or more), not "${entry}"`);
    scale[m[1]!] = Number(m[2]);
  }
  return scale;
}
