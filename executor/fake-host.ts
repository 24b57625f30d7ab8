// A Host that changes nothing and records every call as one line of text, so executor
// tests can assert the exact sequence of side effects (youki's recording fake, in shape).

import type { ContainerExit, Host } from './host.js';
import type { ContainerRecord } from '../model/records.js';
import type { WaitOutcome } from '../model/conditions.js';
import { emptyObserved, type Observed } from '../model/observed.js';

export interface FakeHostOptions {
  observed?: Observed;
  /** Calls (by their recorded text prefix) that throw, to test failure paths. */
  failOn?: string[];
  /** What containers.exec resolves with, per container name (default 0). */
  execExitCodes?: Record<string, number>;
  /** What containers.waitFor answers per container name (met when absent). */
  waitOutcomes?: Record<string, WaitOutcome>;
}

export class FakeHost implements Host {
  readonly calls: string[] = [];
  private readonly records = new Map<string, ContainerRecord>();
  private nextPid = 1000;
  private readonly exitListeners: ((e: ContainerExit) => void)[] = [];

  constructor(private readonly opts: FakeHostOptions = {}) {}

  private record(call: string): void {
    this.calls.push(call);
    if (this.opts.failOn?.some((prefix) => call.startsWith(prefix))) throw new Error(`injected failure: ${call}`);
  }

  async observe(project: string): Promise<Observed> {
    this.record(`observe ${project}`);
    return this.opts.observed ?? emptyObserved(project);
  }

  async removeLeftoverCgroups(project: string): Promise<string[]> {
    this.record(`removeLeftoverCgroups ${project}`);
    return [];
  }

  networks: Host['networks'] = {
    createBridge: async (net) =>
      this.record(
        `networks.createBridge ${net.bridge} ${net.gateway}/${net.prefixLength}${net.gateway6 ? ` ${net.gateway6}/${net.prefixLength6}` : ''}`,
      ),
    removeBridge: async (bridge) => this.record(`networks.removeBridge ${bridge}`),
    attach: async (pid, ep) =>
      this.record(
        `networks.attach ${pid} ${ep.hostVeth} ${ep.ifname} ${ep.ip}/${ep.prefixLength}${ep.ip6 ? ` ${ep.ip6}/${ep.prefixLength6}` : ''}`,
      ),
    detach: async (veth) => this.record(`networks.detach ${veth}`),
    loopback: async (pid) => this.record(`networks.loopback ${pid}`),
    fixedResolver: async (pid, gateway) => this.record(`networks.fixedResolver ${pid} ${gateway}`),
  };

  defaultBridge: Host['defaultBridge'] = {
    join: async (project, net) => this.record(`defaultBridge.join ${project} ${net.bridge} ${net.subnet}`),
    leave: async (project) => this.record(`defaultBridge.leave ${project}`),
  };

  nat: Host['nat'] = {
    apply: async (spec) => this.record(`nat.apply ${spec.table} ${spec.ports.length} ports`),
    remove: async (table) => this.record(`nat.remove ${table}`),
    publish: async (table, _project, ports) => this.record(`nat.publish ${table} ${ports.length} ports`),
    unpublish: async (table) => this.record(`nat.unpublish ${table}`),
    generation: async () => this.calls.filter((c) => c.startsWith('nat.')).length,
  };

  containers: Host['containers'] = {
    prepare: async (spec) => this.record(`containers.prepare ${spec.name}`),
    spawn: async (spec, opts) => {
      this.record(`containers.spawn ${spec.name}${opts?.attach ? ' attached' : ''}`);
      return { pid: this.nextPid++, startTime: 1 };
    },
    release: async (_project, name) => this.record(`containers.release ${name}`),
    drain: async (_project, name, maxMs) => this.record(`containers.drain ${name} ${maxMs}`),
    stop: async (_project, name, signal, grace) => this.record(`containers.stop ${name} ${signal} ${grace}`),
    cleanup: async (_project, name) => this.record(`containers.cleanup ${name}`),
    signal: async (_project, name, signal) => this.record(`containers.signal ${name} ${signal}`),
    freeze: async (_project, name, frozen) => this.record(`containers.freeze ${name} ${frozen}`),
    processes: async () => [],
    stats: async () => undefined,
    stdin: async () => undefined,
    snapshotLayer: async (_project, name, outFile) => {
      this.record(`containers.snapshotLayer ${name}`);
      return { file: outFile, digest: 'sha256:0', diffId: 'sha256:0', size: 0, entries: 0 };
    },
    exportFs: async (_project, name) => this.record(`containers.exportFs ${name}`),
    copy: async (_project, name, direction, src, dest) =>
      this.record(`containers.copy ${name} ${direction} ${src} ${dest}`),
    exec: async (_project, name, opts) => {
      this.record(`containers.exec ${name} ${JSON.stringify(opts.argv)}`);
      return this.opts.execExitCodes?.[name] ?? 0;
    },
    sync: async (_project, name, request) => {
      this.record(`containers.sync ${name} ${request.copy.length} copy ${request.remove.length} remove`);
      return request.copy.length + request.remove.length;
    },
    adopt: (_project, name, pid) => this.record(`containers.adopt ${name} ${pid}`),
    onExit: (listener) => {
      this.exitListeners.push(listener);
    },
    waitFor: async (_project, name, condition) => {
      this.record(`containers.waitFor ${name} ${condition}`);
      return this.opts.waitOutcomes?.[name] ?? { met: true };
    },
  };

  volumes: Host['volumes'] = {
    remove: async (name) => this.record(`volumes.remove ${name}`),
  };

  allocation: Host['allocation'] = {
    lock: async (project) => {
      this.record(`allocation.lock ${project}`);
      return { release: () => this.record(`allocation.release ${project}`) };
    },
    claim: async (project, claims) =>
      this.record(
        `allocation.claim ${project} ${claims.subnets.length} subnets ${claims.ports.length} ports ${claims.addresses.length} addresses`,
      ),
    unclaim: async (project) => this.record(`allocation.unclaim ${project}`),
    takenSubnets: async (project) => {
      this.record(`allocation.takenSubnets ${project}`);
      return [];
    },
  };

  state: Host['state'] = {
    saveContainer: async (_project, record) => {
      this.record(`state.saveContainer ${record.spec.name} ${record.status}`);
      this.records.set(record.spec.name, record);
    },
    loadContainer: async (_project, name) => this.records.get(name),
    updateContainer: async (_project, name, change) => {
      const record = this.records.get(name);
      if (!record) return;
      const next = change(record);
      this.record(`state.updateContainer ${name} ${next.status}`);
      this.records.set(name, next);
    },
    removeContainer: async (_project, name) => {
      this.record(`state.removeContainer ${name}`);
      this.records.delete(name);
    },
    saveNetwork: async (net) => this.record(`state.saveNetwork ${net.key}`),
    removeNetwork: async (_project, key) => this.record(`state.removeNetwork ${key}`),
    saveNat: async (spec) => this.record(`state.saveNat ${spec.table} ${spec.hash}`),
    removeNat: async (project) => this.record(`state.removeNat ${project}`),
    forget: async (project) => this.record(`state.forget ${project}`),
  };

  /** Simulates a container's exit, as the Linux host reports it. */
  emitExit(exit: ContainerExit): void {
    for (const l of this.exitListeners) l(exit);
  }
}
