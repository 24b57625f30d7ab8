// State records: what stack made for each stack, kept under STACK_ROOT so that `down`
// and the next supervisor can find every container, network and table without the
// stack file. A record is written before the object it describes is made and removed
// after the object is gone, so a crash in between leaves a record pointing at something
// absent (harmless to clean), never an object nobody knows about.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Host } from '../executor/host.js';
import type { ContainerRecord } from '../model/records.js';
import type { NatSpec, NetworkSpec } from '../model/plan.js';
import { paths } from './paths.js';
import { readJson, readJsonDir, removeJson, writeJsonAtomic, type RecordDir } from './json-file.js';
import { isSameProcess } from './proc-stat.js';
import { BadRecordError } from './record-errors.js';
import { containerRecordShape, natRecordShape, networkRecordShape } from './record-shapes.js';
import type { Check } from './shape-check.js';

const containersDir = (project: string) => path.join(paths.stateDir(project), 'containers');
const networksDir = (project: string) => path.join(paths.stateDir(project), 'networks');
const containerFile = (project: string, name: string) => path.join(containersDir(project), `${name}.json`);
const networkFile = (project: string, key: string) => path.join(networksDir(project), `${key}.json`);
const natFile = (project: string) => path.join(paths.stateDir(project), 'nat.json');

/** A record's shape, and the names in it that must be those of its file and stack (a record copied or renamed by hand is not this one). */
function owned(shape: Check, expect: (v: Record<string, unknown>) => [string, unknown, string][]): Check {
  return (v, at) =>
    shape(v, at) ??
    expect(v as Record<string, unknown>)
      .filter(([, actual, wanted]) => actual !== wanted)
      .map(
        ([field, actual, wanted]) =>
          `${field} is ${JSON.stringify(actual)}, not ${JSON.stringify(wanted)} as its file says`,
      )[0];
}
const spec = (v: Record<string, unknown>) => v.spec as Record<string, unknown>;
const containerCheck = (project: string) => (name: string) =>
  owned(containerRecordShape, (v) => [
    ['spec.project', spec(v).project, project],
    ['spec.name', spec(v).name, name],
  ]);
const networkCheck = (project: string) => (key: string) =>
  owned(networkRecordShape, (v) => [
    ['project', v.project, project],
    ['key', v.key, key],
  ]);
const natCheck = (project: string) => owned(natRecordShape, (v) => [['project', v.project, project]]);

/** The readable records, or the first damaged one as an error: a stack's own commands stop on it. */
function strict<T>(dir: RecordDir<T>): T[] {
  if (dir.damaged[0]) throw dir.damaged[0];
  return dir.records;
}

/** A record of one file: the record, or the damage that makes it unreadable. */
async function settle<T>(read: Promise<T | undefined>): Promise<{ record?: T; damaged?: BadRecordError }> {
  try {
    const record = await read;
    return record === undefined ? {} : { record };
  } catch (err) {
    if (err instanceof BadRecordError) return { damaged: err };
    throw err;
  }
}

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
    // A damaged record is no record here: the supervisor and the executor act on none of it
    // (observe reports it, and planner/plan/salvage.ts removes what it described, by name).
    loadContainer: async (project, name) => (await settle(readState.container(project, name))).record,
    updateContainer: (project, name, change) => {
      const file = containerFile(project, name);
      return serialised(file, async () => {
        const { record } = await settle(readState.container(project, name));
        if (record) await writeJsonAtomic(file, change(record));
      });
    },
    removeContainer: (project, name) => {
      const file = containerFile(project, name);
      return serialised(file, () => removeJson(file));
    },
    saveNetwork: (net) => writeJsonAtomic(networkFile(net.project, net.key), net),
    removeNetwork: (project, key) => removeJson(networkFile(project, key)),
    saveNat: (spec) => writeJsonAtomic(natFile(spec.project), spec),
    removeNat: (project) => removeJson(natFile(project)),
    forget: async (project) => {
      await fs.rm(paths.stackDir(project), { recursive: true, force: true });
      await fs.rm(paths.runDir(project), { recursive: true, force: true });
    },
  };
}

/**
 * Records as the stack's commands read them. The plain readers throw BadRecordError for a
 * damaged record (naming its file and what is wrong); the `…Dir`/`natRecord` readers return
 * the damage beside what is readable, for observe and `down` (which find the objects by
 * name) and for readers of other stacks' records (which skip them with a warning).
 */
export const readState = {
  container: (project: string, name: string) =>
    readJson<ContainerRecord>(containerFile(project, name), containerCheck(project)(name)),
  containers: async (project: string) => strict(await readState.containerDir(project)),
  networks: async (project: string) => strict(await readState.networkDir(project)),
  nat: (project: string) => readJson<NatSpec>(natFile(project), natCheck(project)),
  containerDir: (project: string) => readJsonDir<ContainerRecord>(containersDir(project), containerCheck(project)),
  networkDir: (project: string) => readJsonDir<NetworkSpec>(networksDir(project), networkCheck(project)),
  natRecord: (project: string) => settle(readState.nat(project)),
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
