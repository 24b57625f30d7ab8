// What `stack kill` does (loaded only when it runs; see kill.ts). A kill with SIGKILL or the
// container's stop signal is final, as docker's: no restart policy brings it back until a
// start; any other signal is the process's to handle.

import { sendableSignal } from '../../model/signals.js';
import { EXIT } from '../errors.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';
import { requestContainerCommand } from './container-command-action.js';

export interface KillOptions {
  signal: string;
  removeOrphans?: boolean;
}

export async function kill(globals: GlobalOptions, services: string[], opts: KillOptions): Promise<number> {
  const signal = sendableSignal(opts.signal.toUpperCase());
  if (signal === undefined)
    throw new UsageError(`-s/--signal ${opts.signal}: not a signal (SIGKILL, SIGUSR1, HUP, 10, SIGRTMIN+3, …)`);
  const project = projectOf(globals);
  await requestContainerCommand(project, { command: 'kill', services, signal });
  if (opts.removeOrphans) await (await import('./orphans-action.js')).removeOrphans(globals, project);
  return EXIT.ok;
}
