// `--remove-orphans` of `stack kill`: the containers of services the stack file no longer
// has are stopped and removed, as docker compose does with the same flag.

import { readState } from '../../store/state-store.js';
import { loadStackFiles, type GlobalOptions } from '../stack-file.js';
import { requestContainerCommand } from './container-command-action.js';

export async function removeOrphans(globals: GlobalOptions, project: string): Promise<void> {
  const inFile = new Set(loadStackFiles(globals).services.map((s) => s.name));
  const orphans = [...new Set((await readState.containers(project)).map((r) => r.spec.service))].filter(
    (s) => !inFile.has(s),
  );
  if (orphans.length > 0)
    await requestContainerCommand(project, { command: 'rm', services: orphans, stop: true, volumes: false });
}
