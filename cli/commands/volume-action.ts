// What `stack volume` does (loaded only when it runs; see volume.ts).

import { ensureVolume, listVolumes, removeVolume } from '../../store/volumes.js';
import { UsageError } from '../usage-error.js';
import { VolumeInUseError, volumeUsers } from './volume-users.js';

export interface VolumeLsOptions {
  format: string;
}

export async function volumeLs(opts: VolumeLsOptions): Promise<void> {
  const volumes = await listVolumes();
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify(volumes, null, 2) + '\n');
    return;
  }
  const rows = [
    ['NAME', 'STACK', 'KIND'],
    ...volumes.map((v) => [v.name, v.project ?? '-', v.anonymous ? 'anonymous' : 'named']),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    process.stdout.write(
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd() + '\n',
    );
}

export async function volumeCreate(name: string): Promise<void> {
  await ensureVolume(name, {});
  process.stdout.write(`${name}\n`);
}

export async function volumeRm(names: string[]): Promise<void> {
  const known = new Set((await listVolumes()).map((v) => v.name));
  const missing = names.filter((n) => !known.has(n));
  if (missing.length > 0)
    throw new UsageError(`no such volume: ${missing.join(', ')} (\`stack volume ls\` lists them)`);
  const users = await volumeUsers();
  const busy = new Map(names.flatMap((n) => (users.has(n) ? [[n, users.get(n)!] as const] : [])));
  if (busy.size > 0) throw new VolumeInUseError(busy);
  for (const name of names) await removeVolume(name);
}
