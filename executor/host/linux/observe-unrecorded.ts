// What a stack owns on the host without a readable record describing it, found by the names
// stack gives its objects (model/names.ts): container groups and folders by container
// name, veths by container and network key, bridges by network key, the nft table by
// project. Network keys come from every record still readable (networks, NAT, containers'
// endpoints), from the file names of damaged ones and from the comments of the stack's nft
// table (`<project>/<key>`); a key counts only where the object named after it exists.

import fs from 'node:fs/promises';
import path from 'node:path';
import type { ContainerRecord } from '../../../model/records.js';
import type { NatSpec, NetworkSpec } from '../../../model/plan.js';
import type { UnrecordedObjects } from '../../../model/observed.js';
import { bridgeName, natTableName, vethName } from '../../../model/names.js';
import { cgroupNames } from './cgroups.js';
import type { RecordDir } from '../../../store/json-file.js';
import { natTableExists, natTableLabels } from './observe-network.js';
import { paths } from '../../../store/paths.js';
import type { BadRecordError } from '../../../store/record-errors.js';

export interface OwnRecords {
  containers: RecordDir<ContainerRecord>;
  networks: RecordDir<NetworkSpec>;
  nat: { record?: NatSpec; damaged?: BadRecordError };
}

const recordName = (e: BadRecordError) => path.basename(e.file, '.json');

/** Undefined when every object of the stack has its readable record. */
export async function unrecordedObjects(
  project: string,
  own: OwnRecords,
  links: Map<string, unknown>,
  /** The host's `ip` tables (observe-network.ts ipTableNames), listed once per observe. */
  tables: Promise<Set<string>>,
): Promise<UnrecordedObjects | undefined> {
  const table = natTableName(project);
  // Three looks that need nothing of each other: side by side.
  const [tableLabels, entries, groups] = await Promise.all([
    natTableLabels(table, project, tables),
    fs.readdir(path.join(paths.stackDir(project), 'containers'), { withFileTypes: true }).catch(() => []),
    cgroupNames(project),
  ]);
  const damaged = [...own.containers.damaged, ...own.networks.damaged, ...(own.nat.damaged ? [own.nat.damaged] : [])];
  const keys = new Set([
    ...own.networks.records.map((n) => n.key),
    ...own.networks.damaged.map(recordName),
    ...(own.nat.record?.networks ?? []).flatMap((n) => (n.key ? [n.key] : [])),
    ...own.containers.records.flatMap((r) => r.spec.endpoints.map((e) => e.network)),
    ...tableLabels,
  ]);
  const recorded = new Set(own.containers.records.map((r) => r.spec.name));
  const folders = entries.filter((e) => e.isDirectory()).map((e) => e.name);
  const names = new Set([...groups, ...folders, ...own.containers.damaged.map(recordName)]);
  const containers = [...names]
    .filter((n) => !recorded.has(n))
    .sort()
    .map((name) => ({
      name,
      hostVeths: [...keys].map((k) => vethName(project, name, k)).filter((v) => links.has(v)),
    }));
  const recordedKeys = new Set(own.networks.records.map((n) => n.key));
  const damagedKeys = new Set(own.networks.damaged.map(recordName));
  const networks = [...keys]
    .filter((k) => !recordedKeys.has(k))
    .map((key) => ({ key, bridge: bridgeName(project, key) }))
    .filter((n) => damagedKeys.has(n.key) || links.has(n.bridge));
  // A table without labels still exists when it holds no rule of the stack's yet.
  const natTable =
    !own.nat.record && (own.nat.damaged || tableLabels.length > 0 || (await natTableExists(table, tables)))
      ? table
      : undefined;
  if (damaged.length === 0 && containers.length === 0 && networks.length === 0 && !natTable) return undefined;
  return { damaged: damaged.map((e) => e.message), containers, networks, ...(natTable ? { natTable } : {}) };
}
