// State records: what stack made for each stack, kept under STACK_ROOT so that `down`
// and the next supervisor can find every container, network and table without the
// stack file. A record is written before the object it describes is made and removed
// after the object is gone, so a crash in between leaves a record pointing at something
// absent (harmless to clean), never an object nobody knows about.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContainerRecord, Host } from '../../host.js';
import type { NatSpec, NetworkSpec } from '../../../planner/plan.js';
import { paths } from './paths.js';
import { readJson, readJsonDir, writeJsonAtomic } from './json-file.js';
import { isSameProcess } from './proc-stat.js';

const containerFile = (project: string, name: string) => path.join(paths.stateDir(project), 'containers', `${name}.json`);
const networkFile = (project: string, key: string) => path.join(paths.stateDir(project), 'networks', `${key}.json`);
const natFile = (project: string) => path.join(paths.stateDir(project), 'nat.json');

export function createStateStore(): Host['state'] {
  // One promise chain per container record: writes to a record happen one after another.
  const chains = new Map<string, Promise<unknown>>();
  const serialised = <T>(file: string, work: () => Promise<T>): Promise<T> => {
    const next = (chains.get(file) ?? Promise.resolve()).then(work, work);
    const tail = next.catch(() => {});
    chains.set(file, tail);
    void tail.then(() => {
      if (chains.get(file) === tail) chains.delete(file);
    });
    return next;
  };
  return {
    saveContainer: (project, record) => {
      const file = containerFile(project, record.spec.name);
      return serialised(file, () => writeJsonAtomic(file, record));
    },
    loadContainer: (project, name) => readJson<ContainerRecord>(containerFile(project, name)),
    updateContainer: (project, name, change) => {
      const file = containerFile(project, name);
      return serialised(file, async () => {
        const record = await readJson<ContainerRecord>(file);
        if (record) await writeJsonAtomic(file, change(record));
      });
    },
    removeContainer: (project, name) => {
      const file = containerFile(project, name);
      return serialised(file, () => fs.rm(file, { force: true }));
    },
    saveNetwork: (net) => writeJsonAtomic(networkFile(net.project, net.key), net),
    removeNetwork: (project, key) => fs.rm(networkFile(project, key), { force: true }),
    saveNat: (spec) => writeJsonAtomic(natFile(spec.project), spec),
    removeNat: (project) => fs.rm(natFile(project), { force: true }),
    forget: async (project) => {
      await fs.rm(paths.stackDir(project), { recursive: true, force: true });
      await fs.rm(paths.runDir(project), { recursive: true, force: true });
    },
  };
}

export const readState = {
  container: (project: string, name: string) => readJson<ContainerRecord>(containerFile(project, name)),
  containers: (project: string) => readJsonDir<ContainerRecord>(path.join(paths.stateDir(project), 'containers')),
  networks: (project: string) => readJsonDir<NetworkSpec>(path.join(paths.stateDir(project), 'networks')),
  nat: (project: string) => readJson<NatSpec>(natFile(project)),
  /** Projects that have state under STACK_ROOT. */
  projects: async (): Promise<string[]> => {
    try {
      return (await fs.readdir(path.join(path.dirname(paths.stackDir('x'))))).sort();
    } catch {
      return [];
    }
  },
};

/**
 * Whether a record describes a running container. Only a released one counts: a record left
 * in 'starting' by a supervisor that died before release may still show its init stage
 * waiting, which is no container. observe (reconcile's input) and ps both ask this.
 */
export function isRunning(record: ContainerRecord): boolean {
  return record.status === 'running' && isSameProcess(record.pid, record.startTime);
}
