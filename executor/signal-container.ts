// `stack kill` and `stack pause`/`unpause` on one container: the host does the kernel part,
// the record says what a restart policy, `ps` and `ls` must know of it.

import type { Host } from './host.js';
import { markStopped } from './stop-container.js';

/**
 * With `stops`, the record is marked first (its exit must not bring the restart policy in),
 * and a paused container is thawed after the signal, as docker does: a frozen process
 * never acts on it (on cgroup v1 not even on SIGKILL).
 */
export async function signalContainer(
  host: Host,
  project: string,
  name: string,
  signal: string,
  stops: boolean,
): Promise<void> {
  if (stops) await host.state.updateContainer(project, name, markStopped);
  await host.containers.signal(project, name, signal);
  if (stops) await host.containers.freeze(project, name, false);
}

/** The record follows the kernel: it says paused only once the processes are frozen. */
export async function freezeContainer(host: Host, project: string, name: string, frozen: boolean): Promise<void> {
  await host.containers.freeze(project, name, frozen);
  await host.state.updateContainer(project, name, (r) => ({ ...r, paused: frozen ? true : undefined }));
}
