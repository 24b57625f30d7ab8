// What `stack exec` does (loaded only when it runs; see exec.ts). The command runs as a
// child of this process, not of the supervisor: its terminal, its streams and its exit
// code are ours directly, and exec works while no supervisor runs.

import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { serviceContainers } from '../service-containers.js';
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
  const project = projectOf(globals);
  // The replica as every command that names a service picks it (the serving one of a slot under recreation).
  const [target] = await serviceContainers(project, service, { index: opts.index });
  const abort = new AbortController();
  // The terminal sends Ctrl-C and Ctrl-\ to the command too (same process group): let it decide.
  const ignore = () => {};
  const stop = () => abort.abort();
  process.on('SIGINT', ignore).on('SIGQUIT', ignore).on('SIGTERM', stop).on('SIGHUP', stop);
  try {
    return await createLinuxHost().containers.exec(project, target!.instance, {
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
