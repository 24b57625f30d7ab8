// A volume the file declares that already exists must be the one the file describes. Its
// driver, driver_opts and labels are fixed when it is made, and changing them in place
// would mean moving or dropping its data, so `up` stops before changing anything and says
// how to get out, as compose refuses a volume whose config hash changed.

import { canonicalJson, volumeHash } from '../../model/hash.js';
import type { Observed, ObservedVolume } from '../../model/observed.js';
import type { Stack, Volume, VolumeConfig } from '../../model/types.js';

const PARTS: [keyof VolumeConfig, string][] = [
  ['driver', 'driver'],
  ['driverOpts', 'driver_opts'],
  ['labels', 'labels'],
];

/** The Compose names of what differs between the volume's record and the file. */
function changed(seen: ObservedVolume, v: Volume): string[] {
  if (seen.hash === volumeHash(v)) return [];
  const config = seen.config;
  const parts = config
    ? PARTS.filter(([field]) => canonicalJson(config[field]) !== canonicalJson(v[field])).map(([, name]) => name)
    : [];
  return parts.length > 0 ? parts : ['configuration'];
}

export function checkVolumes(stack: Stack, observed: Observed): string[] {
  const problems: string[] = [];
  for (const v of stack.volumes) {
    const seen = v.external ? undefined : observed.volumes.find((o) => o.name === v.name);
    if (!seen) continue;
    const named = v.name === v.key ? `volume ${v.name}` : `volume ${v.name} (volumes.${v.key} in the file)`;
    const remove = `remove it with \`stack down -v\` or \`stack volume rm ${v.name}\` (its data is lost)`;
    if (seen.hash === undefined) {
      // Made before volumes had a hash (or by `stack volume create`): its labels are
      // unknown, so they match, but it is surely a folder in the store, which a file asking
      // for a host folder does not describe.
      if (Object.keys(v.driverOpts).length === 0) continue;
      problems.push(
        `${named} exists without a record of its configuration (made before stack kept one, when driver_opts were ignored, or by \`stack volume create\`), so its data is in stack's store, not in the host folder driver_opts name; copy out what you need and ${remove}, or remove driver_opts`,
      );
      continue;
    }
    const parts = changed(seen, v);
    if (parts.length === 0) continue;
    problems.push(
      `${named} exists but does not match its configuration in the file (${parts.join(', ')} changed); ${remove}, or restore the previous configuration`,
    );
  }
  return problems;
}
