// What `stack ps` does (loaded only when it runs; see ps.ts).

import { containerStatus, type ContainerStatusRow } from '../../supervisor/status.js';
import { runningSupervisor } from '../../supervisor/supervisor-liveness.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { renderTable } from '../table.js';
import { composeContainer, composeState, containerId } from '../ps-compose.js';
import { renderTemplate } from '../go-template.js';
import { UsageError } from '../usage-error.js';

export interface PsOptions {
  format: string;
  all?: boolean;
  quiet?: boolean;
  services?: boolean;
  status?: string[];
  filter?: string[];
  /** false with --no-trunc. */
  trunc: boolean;
  /** true, or the value of --orphans=VALUE. */
  orphans: boolean | string;
}

/** compose's `--status` values. */
const STATES = ['paused', 'restarting', 'removing', 'running', 'dead', 'created', 'exited'];

/** The states asked for by --status and --filter status=…; empty: any. */
function wantedStates(opts: PsOptions): string[] {
  const states = [...(opts.status ?? [])];
  for (const f of opts.filter ?? []) {
    const m = /^status=(.*)$/.exec(f);
    if (!m) throw new UsageError(`--filter ${f}: ps filters by status only (status=STATE), as compose`);
    states.push(m[1]!);
  }
  for (const s of states)
    if (!STATES.includes(s)) throw new UsageError(`--status ${s}: not a state (${STATES.join(', ')})`);
  return states;
}

function keepOrphans(value: boolean | string): boolean {
  if (typeof value === 'boolean') return value;
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw new UsageError(`--orphans=${value}: true or false`);
}

async function selectedRows(globals: GlobalOptions, services: string[], opts: PsOptions) {
  const states = wantedStates(opts);
  const project = projectOf(globals);
  let rows = await containerStatus(project);
  if (!keepOrphans(opts.orphans)) {
    const { loadStackFiles } = await import('../stack-file.js');
    const declared = new Set(loadStackFiles(globals).services.map((s) => s.name));
    rows = rows.filter((r) => declared.has(r.service));
  }
  if (services.length > 0) rows = rows.filter((r) => services.includes(r.service));
  // As compose: running containers only, unless -a or a state is asked for.
  if (states.length > 0) rows = rows.filter((r) => states.includes(composeState(r)));
  else if (!opts.all) rows = rows.filter((r) => r.state === 'running');
  return { project, rows };
}

export async function ps(globals: GlobalOptions, services: string[], opts: PsOptions): Promise<void> {
  const { project, rows } = await selectedRows(globals, services, opts);
  // Without a supervisor nothing checks health (the last result would be shown as if
  // current), restarts a container or answers DNS: say so, and claim no health.
  if (rows.some((r) => r.state === 'running') && runningSupervisor(project) === undefined) {
    process.stderr.write(
      `stack ${project}: its supervisor is not running: no health checks, restarts or DNS until \`stack up\` starts one\n`,
    );
    for (const r of rows) if (r.health) r.health = 'unknown';
  }
  const noTrunc = opts.trunc === false;
  if (opts.quiet) {
    process.stdout.write(rows.map((r) => containerId(project, r, noTrunc) + '\n').join(''));
    return;
  }
  if (opts.services) {
    process.stdout.write([...new Set(rows.map((r) => r.service))].map((s) => s + '\n').join(''));
    return;
  }
  if (opts.format === 'table') {
    process.stdout.write(stackTable(rows));
    return;
  }
  const now = Date.now();
  const objects = rows.map((r) => composeContainer(project, r, { now, noTrunc }));
  if (opts.format === 'json') process.stdout.write(objects.map((o) => JSON.stringify(o) + '\n').join(''));
  else process.stdout.write(renderTemplate(opts.format, objects));
}

/** stack's own table: the state with its exit, health, restarts, pids and addresses. */
function stackTable(rows: ContainerStatusRow[]): string {
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
  return renderTable(table);
}
