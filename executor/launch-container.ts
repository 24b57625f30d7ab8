// The steps that bring a container's process up, shared by a first start (container.start),
// a start of a stopped container (container.resume: `stack start`, `stack restart`) and the
// supervisor's restart policies: prepare, spawn, record the pid, wire the network, release.

import { traceMark } from '../store/trace-marks.js';
import { FIXED_RESOLVER } from '../model/fixed-resolver.js';
import type { ContainerSpec } from '../model/plan.js';
import type { Host } from './host.js';
import type { ContainerRecord } from '../model/records.js';
import type { ContainerHooks } from './container-hooks.js';
import { removeContainer } from './stop-container.js';
import { runPostStartHooks } from './lifecycle-hooks.js';

export interface LaunchOptions {
  /** A first start: announced as created once prepared (a resume is not). */
  first?: boolean;
  /**
   * Awaited between wiring and the command's execve; if it throws, the unstarted container
   * is taken down again (process, veths, cgroups, dirs, record) before the error goes on.
   */
  beforeRelease?: () => Promise<void>;
  /** The container's stdin, stdout and stderr are this process's (`stack run`), not its log file. */
  attach?: boolean;
  hooks?: ContainerHooks;
  /** Awaited before the endpoints are wired: their bridges are still being made meanwhile (a build's network). */
  bridgesReady?: Promise<unknown>;
  /** Run its `post_start` hooks once it runs (a start stack was asked for, not a policy's restart or a one-off). */
  postStart?: boolean;
  /** False: the record stays `starting` once it runs (see OneOffOptions.recoveryRecordsOnly). */
  recordRunning?: boolean;
}

/** `saveStarting` writes the record once the process has a pid (before anything else can fail). */
export async function launchContainer(
  spec: ContainerSpec,
  host: Host,
  saveStarting: (pid: number, startTime: number, startedAt: string) => Promise<void>,
  opts: LaunchOptions = {},
): Promise<void> {
  const { hooks = {} } = opts;
  traceMark(`exe: ${spec.name} launch`);
  await host.containers.prepare(spec);
  traceMark(`exe: ${spec.name} prepared`);
  if (opts.first) await hooks.created?.(spec);
  const { pid, startTime } = await host.containers.spawn(spec, opts.attach ? { attach: true } : undefined);
  traceMark(`exe: ${spec.name} spawned`);
  // The record is written while the network is wired: neither needs the other, and both are
  // done before the command may run. A failed wiring still waits for the record, so whoever
  // removes the container finds it. A record that fails (a full disk) while the wiring waits
  // on something else is handled at once and thrown where awaited below: unhandled
  // meanwhile, it would end the process (supervisor or CLI) instead of failing this start.
  const saved = saveStarting(pid, startTime, new Date().toISOString());
  saved.catch(() => undefined);
  try {
    if (spec.networkMode === 'none') await host.networks.loopback(pid);
    await opts.bridgesReady;
    for (const ep of spec.endpoints) await host.networks.attach(pid, ep);
    // resolv.conf names 127.0.0.11 (planner/plan/plan-endpoints.ts), as docker's does. A
    // container given the host's resolvers (empty resolvConf: a build step) or its `dns:`
    // servers (the default bridge) has no stack resolver behind its gateway to lead there.
    const resolver = spec.endpoints[0]?.gateway;
    if (resolver && spec.resolvConf.includes(`nameserver ${FIXED_RESOLVER}`))
      await host.networks.fixedResolver(pid, resolver);
  } catch (err) {
    await saved.catch(() => undefined);
    throw err;
  }
  await saved;
  traceMark(`exe: ${spec.name} wired`);
  if (opts.beforeRelease) {
    try {
      await opts.beforeRelease();
    } catch (err) {
      await removeContainer(
        host,
        spec.project,
        spec.name,
        { signal: 'SIGKILL', graceSeconds: 0, hostVeths: spec.endpoints.map((ep) => ep.hostVeth) },
        hooks,
      );
      throw err;
    }
  }
  await hooks.releasing?.(spec.project, spec.name);
  await host.containers.release(spec.project, spec.name);
  traceMark(`exe: ${spec.name} released`);
  await hooks.released?.(spec.project, spec.name);
  // A one-shot command may have exited already; its exit was recorded, keep that.
  if (opts.recordRunning !== false)
    await host.state.updateContainer(spec.project, spec.name, (r) =>
      r.status === 'exited' ? r : { ...r, status: 'running' },
    );
  // Within the start: what waits for it (depends_on, `up`) waits for its hooks too.
  if (opts.postStart) await runPostStartHooks(host, spec);
}

export interface ResumeOptions {
  /** Laid over the record (e.g. a restart count). */
  changes?: Partial<ContainerRecord>;
  hooks?: ContainerHooks;
  /**
   * The restart policy's own restart: a stop marked on the record meanwhile stays (that stop
   * waits for this restart, then ends it). A requested start ends a stop.
   */
  byPolicy?: boolean;
}

/**
 * Starts an existing container again from its record: the same spec, addresses, veth
 * names, cgroup and upper dir, a new process. Its last exit code stays in the record
 * (ps shows it).
 */
export async function resumeContainer(
  project: string,
  name: string,
  host: Host,
  opts: ResumeOptions = {},
): Promise<void> {
  const record = await host.state.loadContainer(project, name);
  if (!record) throw new Error(`container ${name} has no state record; \`stack up\` creates it`);
  // The old veths die with the old network namespace, but the kernel frees them lazily.
  for (const ep of record.spec.endpoints) await host.networks.detach(ep.hostVeth);
  await launchContainer(
    record.spec,
    host,
    (pid, startTime, startedAt) =>
      host.state.updateContainer(project, name, (r) => {
        const { stopped, health: _health, readiness: _readiness, oomKilled: _oom, ...rest } = r;
        return {
          ...rest,
          ...(opts.byPolicy && stopped ? { stopped } : {}),
          ...opts.changes,
          status: 'starting',
          pid,
          startTime,
          startedAt,
        };
      }),
    { hooks: opts.hooks, postStart: !opts.byPolicy },
  );
}
