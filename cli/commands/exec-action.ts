// What `stack exec` does (loaded only when it runs; see exec.ts). The command runs as a
// child of this process, not of the supervisor: its terminal, its streams and its exit
// code are ours directly, and exec works while no supervisor runs.

import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import { readState } from '../../store/state-store.js';
import { slotRecord } from '../../store/slot-record.js';
import { containerName } from '../../model/names.js';
import { containerStatus } from '../../supervisor/status.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';
import { envFlags } from './env-flags.js';

export interface ExecCliOptions {
  tty: boolean;
  user?: string;
  workdir?: string;
  env?: string[];
  index: string;
  /** Every capability and no seccomp filter for the exec'd process, as `docker compose exec --privileged`. */
  privileged?: boolean;
  /** -d: start the command and return. */
  detach?: boolean;
}

export async function exec(
  globals: GlobalOptions,
  service: string,
  command: string[],
  opts: ExecCliOptions,
): Promise<number> {
  const index = Number(opts.index);
  if (!Number.isInteger(index) || index < 1)
    throw new UsageError(`--index takes a replica number (1 or more), not "${opts.index}"`);
  const project = projectOf(globals);
  const rows = await containerStatus(project);
  if (!rows.some((r) => r.service === service)) {
    const services = [...new Set(rows.map((r) => r.service))];
    throw new UsageError(
      `service ${service} has no container in stack ${project}${services.length ? ` (services with containers: ${services.join(', ')})` : ''}; \`stack up\` creates them`,
    );
  }
  const abort = new AbortController();
  // The terminal sends Ctrl-C and Ctrl-\ to the command too (same process group): let it decide.
  const ignore = () => {};
  const stop = () => abort.abort();
  process.on('SIGINT', ignore).on('SIGQUIT', ignore).on('SIGTERM', stop).on('SIGHUP', stop);
  try {
    const target =
      (await slotRecord(readState.container, project, containerName(project, service, index)))?.spec.name ??
      containerName(project, service, index);
    return await createLinuxHost().containers.exec(project, target, {
      argv: command,
      env: envFlags(opts.env ?? [], process.env),
      ...(opts.user !== undefined ? { user: opts.user } : {}),
      ...(opts.workdir !== undefined ? { cwd: opts.workdir } : {}),
      ...(opts.privileged ? { privileged: true } : {}),
      ...(opts.detach ? { detach: true } : {}),
      tty: !opts.detach && opts.tty && process.stdin.isTTY === true,
      stdio: 'inherit',
      signal: abort.signal,
    });
  } finally {
    process.off('SIGINT', ignore).off('SIGQUIT', ignore).off('SIGTERM', stop).off('SIGHUP', stop);
  }
}
