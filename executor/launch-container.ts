// The steps that bring a container's process up, shared by a first start (container.start),
// a start of a stopped container (container.resume: `stack start`, `stack restart`) and the
// supervisor's restart policies: prepare, spawn, record the pid, wire the network, release.

import type { ContainerSpec } from '../model/plan.js';
import type { Host } from './host.js';
import type { ContainerRecord } from '../model/records.js';

export interface LaunchOptions {
  /**
   * Awaited between wiring and the command's execve; if it throws, the unstarted container
   * is taken down again (process, veths, cgroups, dirs, record) before the error goes on.
   */
  beforeRelease?: () => Promise<void>;
  /** The container's stdin, stdout and stderr are this process's (`stack run`), not its log file. */
  attach?: boolean;
}

/** `saveStarting` writes the record once the process has a pid (before anything else can fail). */
export async function launchContainer(
  spec: ContainerSpec,
  host: Host,
  saveStarting: (pid: number, startTime: number, startedAt: string) => Promise<void>,
  opts: LaunchOptions = {},
): Promise<void> {
  await host.containers.prepare(spec);
  const { pid, startTime } = await host.containers.spawn(spec, opts.attach ? { attach: true } : undefined);
  await saveStarting(pid, startTime, new Date().toISOString());
  if (spec.networkMode === 'none') await host.networks.loopback(pid);
  for (const ep of spec.endpoints) await host.networks.attach(pid, ep);
  // resolv.conf names 127.0.0.11 (planner/plan/plan-endpoints.ts), as docker's does.
  const resolver = spec.endpoints[0]?.gateway;
  if (resolver) await host.networks.fixedResolver(pid, resolver);
  if (opts.beforeRelease) {
    try {
      await opts.beforeRelease();
    } catch (err) {
      await killAndRemove(host, spec);
      throw err;
    }
  }
  await host.containers.release(spec.project, spec.name);
  // A one-shot command may have exited already; its exit was recorded, keep that.
  await host.state.updateContainer(spec.project, spec.name, (r) => (r.status === 'exited' ? r : { ...r, status: 'running' }));
}

/**
 * Starts an existing container again from its record: the same spec, addresses, veth
 * names, cgroup and upper dir, a new process. Its last exit code stays in the record
 * (ps shows it); `changes` are laid over the record (e.g. a restart count).
 */
export async function resumeContainer(project: string, name: string, host: Host, changes: Partial<ContainerRecord> = {}): Promise<void> {
  const record = await host.state.loadContainer(project, name);
  if (!record) throw new Error(`container ${name} has no state record; \`stack up\` creates it`);
  // The old veths die with the old network namespace, but the kernel frees them lazily.
  for (const ep of record.spec.endpoints) await host.networks.detach(ep.hostVeth);
  await launchContainer(record.spec, host, (pid, startTime, startedAt) =>
    host.state.updateContainer(project, name, (r) => {
      const { stopped: _stopped, health: _health, readiness: _readiness, oomKilled: _oom, ...rest } = r;
      return { ...rest, ...changes, status: 'starting', pid, startTime, startedAt };
    }),
  );
}

/**
 * Removes a container: its process (stop signal, SIGKILL after the grace period), its
 * veths, cgroups and directories, then its record, last, so a crash in between leaves
 * something `down` can find. A `container.remove`, an unstarted container whose start was
 * refused, and `stack run --rm` all go this way.
 */
export async function takeDownContainer(
  host: Host,
  project: string,
  name: string,
  how: { stopSignal: string; stopGraceSeconds: number; hostVeths: string[] },
): Promise<void> {
  await host.containers.stop(project, name, how.stopSignal, how.stopGraceSeconds);
  for (const veth of how.hostVeths) await host.networks.detach(veth);
  await host.containers.cleanup(project, name);
  await host.state.removeContainer(project, name);
}

/** Takes a container of `spec` down at once: SIGKILL, no grace period. */
export function killAndRemove(host: Host, spec: ContainerSpec): Promise<void> {
  return takeDownContainer(host, spec.project, spec.name, { stopSignal: 'SIGKILL', stopGraceSeconds: 0, hostVeths: spec.endpoints.map((ep) => ep.hostVeth) });
}
