// What `stack kill` does (loaded only when it runs; see kill.ts). A kill with SIGKILL or the
// container's stop signal is final, as docker's: no restart policy brings it back until a
// start; any other signal is the process's to handle.

import { sendableSignal } from '../../model/signals.js';
import type { ContainerCommand } from '../../planner/plan/container-command-plan.js';
import { EXIT } from '../errors.js';
import { composeBool } from '../compose-env.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';
import { requestContainerCommand } from './container-command-action.js';

export interface KillOptions {
  signal: string;
  removeOrphans?: boolean;
}

export async function kill(globals: GlobalOptions, services: string[], opts: KillOptions): Promise<number> {
  const project = projectOf(globals);
  await requestContainerCommand(project, killRequest(services, opts));
  if (opts.removeOrphans || composeBool('COMPOSE_REMOVE_ORPHANS'))
    await (await import('./orphans-action.js')).removeOrphans(globals, project);
  return EXIT.ok;
}

/** What the supervisor is asked to plan (`--dry-run` plans the same). */
export function killRequest(services: string[], opts: KillOptions): ContainerCommand {
  const signal = sendableSignal(opts.signal.toUpperCase());
  if (signal === undefined)
    throw new UsageError(`-s/--signal ${opts.signal}: not a signal (SIGKILL, SIGUSR1, HUP, 10, SIGRTMIN+3, …)`);
  return { command: 'kill', services, signal };
}
