// What `stack volume` does (loaded only when it runs; see volume.ts).

import { readState, isRunning } from '../../executor/host/linux/state-store.js';
import { ensureVolume, listVolumes, removeVolume } from '../../executor/host/linux/volumes.js';
import { UsageError } from '../usage-error.js';

export interface VolumeLsOptions {
  format: string;
}

export async function volumeLs(opts: VolumeLsOptions): Promise<void> {
  const volumes = await listVolumes();
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify(volumes, null, 2) + '\n');
    return;
  }
  const rows = [['NAME', 'STACK', 'KIND'], ...volumes.map((v) => [v.name, v.project ?? '-', v.anonymous ? 'anonymous' : 'named'])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows) process.stdout.write(r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd() + '\n');
}

export async function volumeCreate(name: string): Promise<void> {
  await ensureVolume(name, {});
  process.stdout.write(`${name}\n`);
}

export async function volumeRm(names: string[]): Promise<void> {
  const known = new Set((await listVolumes()).map((v) => v.name));
  const missing = names.filter((n) => !known.has(n));
  if (missing.length > 0) throw new UsageError(`no such volume: ${missing.join(', ')} (\`stack volume ls\` lists them)`);
  const users = await runningUsers();
  const busy = names.filter((n) => users.has(n));
  if (busy.length > 0) throw new UsageError(busy.map((n) => `volume ${n} is in use by ${users.get(n)!.join(', ')}; stop it first`).join('\n'));
  for (const name of names) await removeVolume(name);
}

/** Volume name → running containers (of any stack) that mount it. */
async function runningUsers(): Promise<Map<string, string[]>> {
  const users = new Map<string, string[]>();
  for (const project of await readState.projects()) {
    for (const r of await readState.containers(project)) {
      if (!isRunning(r)) continue;
      for (const m of r.spec.mounts ?? []) if (m.type === 'volume') users.set(m.source, [...(users.get(m.source) ?? []), r.spec.name]);
    }
  }
  return users;
}
