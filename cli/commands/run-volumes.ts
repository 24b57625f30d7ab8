// `stack run -v SPEC`: an extra mount for the one-off, in the short form of the file's
// `volumes:` (a relative host path is relative to the working folder, as on docker's
// command line). A mount at a target the service already mounts replaces it.

import { parseShortVolume } from '../../planner/load/mounts.js';
import type { VolumeMount } from '../../model/types.js';
import { UsageError } from '../usage-error.js';

export function withRunVolumes(mounts: readonly VolumeMount[], specs: readonly string[]): VolumeMount[] {
  const extra = specs.map((spec) => {
    const parsed = parseShortVolume(spec, process.cwd(), process.env);
    if (!parsed.ok) throw new UsageError(`-v ${spec}: ${parsed.why}`);
    if (!parsed.mount.target.startsWith('/'))
      throw new UsageError(`-v ${spec}: the target ${parsed.mount.target} must be an absolute path`);
    return parsed.mount;
  });
  const targets = new Set(extra.map((m) => m.target));
  return [...mounts.filter((m) => !targets.has(m.target)), ...extra];
}
