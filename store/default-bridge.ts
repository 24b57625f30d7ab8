// The records of the host-wide default bridge (model/default-bridge.ts): its NetworkSpec
// and one mark per stack that uses it, under $STACK_ROOT/default-bridge. The marks are the
// bridge's reference count: files, so a stack killed at any step leaves its mark (or none)
// and never a count that is off by one. Written and read under the allocation lock by
// join and leave (executor/host/linux/default-bridge.ts).

import fs from 'node:fs/promises';
import path from 'node:path';
import type { NetworkSpec } from '../model/plan.js';
import { readJson, writeJsonAtomic } from './json-file.js';
import { stackRoot } from './paths.js';
import { networkRecordShape } from './record-shapes.js';
import { BadRecordError } from './record-errors.js';

const dir = () => path.join(stackRoot(), 'default-bridge');
const specFile = () => path.join(dir(), 'network.json');
const usersDir = () => path.join(dir(), 'users');
const markFile = (project: string) => path.join(usersDir(), `${project}.json`);

export interface DefaultBridgeRecords {
  /** Undefined when absent or damaged (a damaged one is made again by the next join). */
  spec?: NetworkSpec;
  /** The stacks that marked themselves as users. */
  users: string[];
}

export async function readDefaultBridge(): Promise<DefaultBridgeRecords> {
  const [spec, users] = await Promise.all([
    readJson<NetworkSpec>(specFile(), networkRecordShape).catch((err) => {
      if (err instanceof BadRecordError) return undefined;
      throw err;
    }),
    fs.readdir(usersDir()).catch(() => [] as string[]),
  ]);
  const marks = users.filter((u) => u.endsWith('.json')).map((u) => u.slice(0, -'.json'.length));
  return { ...(spec ? { spec } : {}), users: marks.sort() };
}

export const defaultBridgeRecords = {
  saveSpec: (spec: NetworkSpec) => writeJsonAtomic(specFile(), spec),
  mark: (project: string) => writeJsonAtomic(markFile(project), { project }),
  unmark: (project: string) => fs.rm(markFile(project), { force: true }),
  /** Once the bridge and its table are gone: the record and the (empty) folder of marks. */
  forget: () => fs.rm(dir(), { recursive: true, force: true }),
};
