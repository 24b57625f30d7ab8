// What `stack ps` does (loaded only when it runs; see ps.ts).

import { containerStatus } from '../../supervisor/status.js';
import { runningSupervisor } from '../../supervisor/supervisor-liveness.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { renderTable } from '../table.js';

export interface PsOptions {
  format: string;
}

export async function ps(globals: GlobalOptions, opts: PsOptions): Promise<void> {
  const project = projectOf(globals);
  const rows = await containerStatus(project);
  // Without a supervisor nothing checks health (the last result would be shown as if
  // current), restarts a container or answers DNS: say so, and claim no health.
  if (rows.some((r) => r.state === 'running') && runningSupervisor(project) === undefined) {
    process.stderr.write(
      `stack ${project}: its supervisor is not running: no health checks, restarts or DNS until \`stack up\` starts one\n`,
    );
    for (const r of rows) if (r.health) r.health = 'unknown';
  }
  if (opts.format === 'json') {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  const table = [['NAME', 'SERVICE', 'STATE', 'HEALTH', 'RESTARTS', 'LAST EXIT', 'PID', 'ADDRESS', 'PORTS']];
  for (const r of rows) {
    const exited =
      r.state === 'exited' && r.exitCode !== undefined
        ? `exited (${r.exitCode}${r.oomKilled ? ', OOMKilled' : ''})`
        : r.state;
    const state = r.stopped ? `${exited}, stopped` : r.paused ? 'paused' : exited;
    const lastExit = r.exitCode !== undefined ? String(r.exitCode) : '-';
    table.push([
      r.name,
      r.service,
      state,
      r.health ?? '-',
      String(r.restarts),
      lastExit,
      r.pid ? String(r.pid) : '-',
      r.addresses.map((a) => a.ip).join(',') || '-',
      r.ports.join(', ') || '-',
    ]);
  }
  process.stdout.write(renderTable(table));
}
