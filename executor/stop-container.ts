// A deliberate stop and the removal of a container, shared by the operations (container.stop,
// container.remove) and a first start taken down again when what it waited for failed.

import type { Host } from './host.js';
import type { ContainerHooks } from './container-hooks.js';
import type { ContainerRecord } from '../model/records.js';
import { isNoSpace } from '../store/record-errors.js';
import { runPreStopHooks } from './lifecycle-hooks.js';
import { oneOffTableName } from '../model/names.js';

/**
 * The mark that keeps the restart policy from bringing it back once it exits: the record is
 * the one place that says so, for this supervisor and for one that adopts the container
 * after a crash. Cleared by a requested start only (launch-container.ts resumeContainer).
 * A stop thaws a paused container (the host's stop), so the mark `paused` goes with it.
 */
export const markStopped = (r: ContainerRecord): ContainerRecord => ({ ...r, stopped: true, paused: undefined });

/**
 * Marks the record first, then stops the container with the hooks around the stop.
 * Resolves with the warning of a failed `pre_stop` hook, if any.
 */
export async function stopContainer(
  host: Host,
  project: string,
  name: string,
  signal: string,
  graceSeconds: number,
  hooks: ContainerHooks = {},
): Promise<string[]> {
  await host.state.updateContainer(project, name, markStopped);
  return stopMarked(host, project, name, signal, graceSeconds, hooks);
}

/** Stops it, then removes its veths, cgroup, directories and last its record; resolves with stopContainer's warnings. */
export async function removeContainer(
  host: Host,
  project: string,
  name: string,
  stop: {
    signal: string;
    graceSeconds: number;
    hostVeths: string[];
    /** False where no restart policy can bring it back (a build step's container): one record write less. */
    markStopped?: boolean;
    /** Its process ended and was reaped by the caller, its parent (an attached one-off). */
    exited?: boolean;
  },
  hooks: ContainerHooks = {},
): Promise<string[]> {
  // An exited one-off: nothing can restart it, and nothing is left to stop that the cleanup's
  // cgroup kill does not take.
  let warnings: string[] = [];
  if (!stop.exited) {
    // A `down` on a full STACK_ROOT still frees what it can: the mark goes unwritten then, and
    // a restart the exit schedules meanwhile finds the record gone (it is removed last).
    if (stop.markStopped !== false)
      await host.state.updateContainer(project, name, markStopped).catch((err: unknown) => {
        if (!isNoSpace(err)) throw err;
      });
    warnings = await stopMarked(host, project, name, stop.signal, stop.graceSeconds, hooks);
  }
  // Its published ports, its veths and its own objects (cgroups, mounts, folders) do not
  // depend on each other: the kernel's deletion of a veth waits for RCU grace periods (2–20
  // ms in a build's timeline, the thread off the event loop), and the rest goes on meanwhile.
  const settled = await Promise.allSettled([
    unpublishOneOff(host, project, name),
    Promise.all(stop.hostVeths.map((veth) => host.networks.detach(veth))),
    host.containers.cleanup(project, name),
  ]);
  for (const s of settled) if (s.status === 'rejected') throw s.reason;
  await hooks.cleanedUp?.(project, name);
  await host.state.removeContainer(project, name);
  return warnings;
}

async function stopMarked(
  host: Host,
  project: string,
  name: string,
  signal: string,
  graceSeconds: number,
  hooks: ContainerHooks,
): Promise<string[]> {
  // Before anything else: the hooks see the container as it was, still answering by name.
  const warnings = await runPreStopHooks(host, project, name);
  await hooks.stopping?.(project, name);
  await host.containers.stop(project, name, signal, graceSeconds);
  await hooks.stopped?.(project, name);
  return warnings;
}

/**
 * A one-off's published ports (`run -p`) go with it. (Without a readable record, the next
 * observe finds its table among the stack's one-off tables that no record holds.)
 */
async function unpublishOneOff(host: Host, project: string, name: string): Promise<void> {
  const record = await host.state.loadContainer(project, name);
  if (record?.spec.oneOffPorts) await host.nat.unpublish(oneOffTableName(project, name));
}
