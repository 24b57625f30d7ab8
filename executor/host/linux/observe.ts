// Observed state of one stack: its state records joined with what the kernel says now
// (is the process the recorded one, does the bridge exist, does the nft table exist).

import type { ObserveOptions, Observed } from '../../../model/observed.js';
import { networkHash } from '../../../model/hash.js';
import { hostPorts } from './host-ports.js';
import { listImages } from '../../../images/image-store.js';
import { acceptsPresent } from './coexist.js';
import { bridgeConfigured, ipTableNames, natTableIntact, readLinks, takenSubnets } from './observe-network.js';
import { readStacks } from '../../../store/stacks-records.js';
import { unrecordedObjects } from './observe-unrecorded.js';
import { isRunning, readState } from '../../../store/state-store.js';
import { listVolumes } from '../../../store/volumes.js';
import { existsSync } from 'node:fs';
import { withClaims } from '../../../model/claims.js';
import { heldPort } from '../../../model/port-holders.js';
import { readClaims } from '../../../store/allocation.js';
import { observeDefaultBridge } from './observe-default-bridge.js';
import { frozenCgroups } from './cgroups.js';
import type { ContainerRecord } from '../../../model/records.js';
import type { NatSpec } from '../../../model/plan.js';
import { oneOffHeldPorts, staleOneOffTables } from './observe-one-off-ports.js';

/**
 * Owners of host sockets are looked up only for `opts.publishedPorts` (see host-ports.ts).
 * Every look starts as soon as what it needs is read: one after the other, the kernel's
 * and the files' answers (threadpool round trips, libnftables listings) made a warm observe
 * ~8 ms of which ~3 ms was CPU, on the critical path of every `up`.
 */
export async function observeStack(project: string, opts: ObserveOptions = {}): Promise<Observed> {
  const linksRead = readLinks();
  // One listing of the host's tables for every check of this observe. Its failure is met by
  // those checks; marked handled here for an observe that fails before any of them awaits it.
  const tables = ipTableNames();
  tables.catch(() => undefined);
  const ownRead = Promise.all([
    readState.containerDir(project),
    readState.networkDir(project),
    readState.natRecord(project),
  ]);
  // Other stacks' subnets are taken even while their bridges are briefly absent. Their
  // damaged records are skipped (with a note): only their own stack's commands stop on them.
  const othersRead = readState.projects().then((projects) => readStacks(projects.filter((p) => p !== project)));
  const unrecordedRead = Promise.all([ownRead, linksRead]).then(([[containers, networks, nat], linkStates]) =>
    unrecordedObjects(project, { containers, networks, nat }, linkStates, tables),
  );
  const [
    [containerDir, networkDir, natRecord],
    linkStates,
    images,
    hostSubnets,
    others,
    listeners,
    volumes,
    claims,
    strayFrozen,
    unrecorded,
    stale,
    natPresent,
    defaultBridge,
  ] = await Promise.all([
    ownRead,
    linksRead,
    listImages(),
    linksRead.then(takenSubnets),
    othersRead,
    hostPorts({ only: opts.publishedPorts ?? [] }),
    listVolumes(),
    readClaims(project),
    ownRead.then(([containers]) => frozenWithoutPause(project, containers.records)),
    unrecordedRead,
    Promise.all([ownRead, unrecordedRead]).then(([[containers], u]) =>
      staleOneOffTables(project, containers.records, containers.damaged.length > 0 || u !== undefined, tables),
    ),
    ownRead.then(([, , nat]) => !!nat.record && natInPlace(nat.record, tables)),
    Promise.all([linksRead, othersRead]).then(([linkStates, o]) =>
      observeDefaultBridge(linkStates, foreignOnOf(o.containers), tables),
    ),
  ]);
  const records = containerDir.records;
  const networks = networkDir.records;
  const nat = natRecord.record;
  const otherContainers = others.containers;
  const otherNat = others.nat;
  const otherStackNetworks = others.networks;
  const foreignOn = foreignOnOf(otherContainers);
  const foreignNetworks = otherStackNetworks.map((n) => ({
    project: n.project,
    key: n.key,
    name: n.name,
    bridge: n.bridge,
    subnet: n.subnet,
    gateway: n.gateway,
    prefixLength: n.prefixLength,
    ...(n.ipRange ? { ipRange: n.ipRange } : {}),
    ...(n.internal ? { internal: true } : {}),
    ...(n.mtu ? { mtu: n.mtu } : {}),
    ...(n.auxAddresses ? { auxAddresses: n.auxAddresses } : {}),
    ...(n.subnet6 ? { subnet6: n.subnet6, gateway6: n.gateway6, prefixLength6: n.prefixLength6 } : {}),
    usedIps: foreignOn(n.bridge).map((e) => e.ip),
  }));
  // What other stacks' applies in progress are taking counts as taken (model/claims.ts).
  return withClaims(
    {
      project,
      containers: records.map((r) => ({
        name: r.spec.name,
        ...(r.spec.displayName ? { displayName: r.spec.displayName } : {}),
        service: r.spec.service,
        hash: r.spec.hash,
        stopSignal: r.spec.stopSignal,
        stopGraceSeconds: r.spec.stopGraceSeconds,
        replica: r.spec.replica ?? 1,
        running: isRunning(r),
        ...(r.stopped ? { stopped: true } : {}),
        ...(r.paused && isRunning(r) ? { paused: true } : {}),
        ...(strayFrozen.has(r.spec.name) ? { frozenUnpaused: true } : {}),
        ...(r.pid ? { pid: r.pid } : {}),
        ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
        endpoints: r.spec.endpoints.map((e) => ({
          network: e.network,
          ip: e.ip,
          ...(e.ip6 ? { ip6: e.ip6 } : {}),
          hostVeth: e.hostVeth,
          present: linkStates.has(e.hostVeth),
        })),
      })),
      networks: networks.map((n) => {
        const joined = foreignOn(n.bridge);
        return {
          key: n.key,
          name: n.name,
          bridge: n.bridge,
          subnet: n.subnet,
          gateway: n.gateway,
          ...(n.subnet6 ? { subnet6: n.subnet6 } : {}),
          hash: networkHash(n),
          ...(n.labels ? { labels: n.labels } : {}),
          linkPresent: bridgeConfigured(linkStates, n),
          ...(joined.length > 0
            ? { foreignUsers: [...new Set(joined.map((e) => e.name))], foreignIps: joined.map((e) => e.ip) }
            : {}),
        };
      }),
      ...(nat
        ? {
            nat: {
              table: nat.table,
              hash: nat.hash,
              present: natPresent,
              ports: nat.ports,
              networks: nat.networks,
            },
          }
        : {}),
      images,
      takenSubnets: [
        ...hostSubnets.filter((s) => !networks.some((n) => n.subnet === s)),
        ...otherStackNetworks.flatMap((n) => [n.subnet, ...(n.subnet6 ? [n.subnet6] : [])]),
        ...(defaultBridge.spec ? [defaultBridge.spec.subnet] : []),
      ],
      hostPorts: listeners,
      volumes,
      missingPaths: (opts.hostPaths ?? []).filter((p) => !existsSync(p)),
      foreignNetworks,
      foreignContainers: otherContainers.filter(isRunning).map((r) => ({
        project: r.spec.project,
        names: [...new Set([r.spec.name, r.spec.displayName, r.spec.containerName].filter((n): n is string => !!n))],
        endpoints: r.spec.endpoints.map((e) => ({ bridge: e.bridge, ip: e.ip })),
      })),
      foreignPorts: [
        ...otherNat.flatMap((n) => (n.ports ?? []).map((r) => ({ ...heldPort(r), project: n.project }))),
        ...oneOffHeldPorts([...records, ...otherContainers]),
      ],
      ...(stale.length > 0 ? { staleOneOffTables: stale } : {}),
      ...(unrecorded ? { unrecorded } : {}),
      ...(others.skipped.length > 0 ? { skippedRecords: others.skipped } : {}),
      defaultBridge,
    },
    claims,
  );
}

/**
 * Running containers the kernel holds frozen though no record says paused: a `commit
 * --pause` killed before it thawed (its finally never ran). The planner thaws them.
 */
async function frozenWithoutPause(project: string, records: ContainerRecord[]): Promise<Set<string>> {
  const candidates = records.filter((r) => isRunning(r) && !r.paused);
  const frozen = await Promise.all(
    candidates.map((r) => frozenCgroups(project, r.spec.name, r.spec.resources.cgroupParent).catch(() => false)),
  );
  return new Set(candidates.filter((_, i) => frozen[i]).map((r) => r.spec.name));
}

/** The containers of other stacks (`containers`) on a bridge, with the address each holds there. */
function foreignOnOf(containers: ContainerRecord[]): (bridge: string) => { name: string; ip: string }[] {
  return (bridge) =>
    containers.flatMap((r) =>
      r.spec.endpoints
        .filter((e) => e.bridge === bridge)
        // An IPv6 address is taken too (the planner keeps the two families apart by form).
        .flatMap((e) => [e.ip, ...(e.ip6 ? [e.ip6] : [])].map((ip) => ({ name: r.spec.name, ip }))),
    );
}

/** Whether the stack's table is as written and its accepts are in place (read only when it is intact). */
async function natInPlace(nat: NatSpec, tables: Promise<Set<string>>): Promise<boolean> {
  return (await natTableIntact(nat, tables)) && (await acceptsPresent(nat));
}
