// The default network of builds, kept from one build to the next. Making a build's bridge
// and table and removing them again cost every build about a tenth of a second of wall
// time (the kernel deletes a bridge after RCU grace periods; nftables lists the ruleset),
// more than the rest of a one-file rebuild's RUN step. So a build takes a kept network,
// holding it alone while it runs, and leaves it for the next build instead.
//
// Each kept network is a stack of its own, `stkbnet-<root>-<n>` (the STACK_ROOT in its
// name, so test runs with their own roots never share one), with the records every stack
// network has: `down`-style removal by records finds all of it. A build holds the slot's
// stack lock from its first RUN step that needs a network to its end, so builds running at
// once each have their own bridge and stay isolated from each other as before; a build
// killed with kill -9 frees the lock with its process, and the next build takes the network
// as it is (its step containers are swept first, build-leftovers.ts). Each take makes the
// bridge again over what is there (idempotent), and the table when the ruleset changed
// since it was applied: one removed by hand, by a firewall reload or a reboot is back for
// the step that needs it. A kept network no build
// has used for IDLE_MS goes at the end of the next build; `stack image prune` removes every
// one no build holds.

import { sha256Hex } from '../model/sha256.js';
import fs from 'node:fs/promises';
import path from 'node:path';
import { bridgeName, natTableName } from '../model/names.js';
import type { NetworkSpec } from '../model/plan.js';
import { paths, stackRoot } from '../store/paths.js';
import { tryStackLock } from '../store/stack-lock.js';
import { readState } from '../store/state-store.js';
import type { Host } from './host.js';
import { buildNat, chooseBuildNetwork, createBuildNetwork } from './build-network.js';
import { removeBuildStack, removeUnheldBuildStacks, stackNames } from './build-leftovers.js';
import { KEPT_NETWORK_PREFIX } from '../model/build-projects.js';

export { KEPT_NETWORK_PREFIX };

/** Builds running at once on one STACK_ROOT that can each have a network. */
const SLOTS = 16;
/** A kept network unused this long is removed by the next build's end. */
export const IDLE_MS = 10 * 60 * 1000;

export interface KeptNetwork {
  spec: NetworkSpec;
  /** The bridge and its table are in place (made again over what is there). */
  ready: Promise<void>;
  /** The build has ended: the network stays for the next one, marked as used now. */
  release(): Promise<void>;
}

const rootTag = (): string => sha256Hex(stackRoot()).slice(0, 6);

/** The projects of this STACK_ROOT's kept networks that exist now (recorded or half made). */
export async function keptNetworkProjects(): Promise<string[]> {
  return (await stackNames()).filter((n) => n.startsWith(`${KEPT_NETWORK_PREFIX}${rootTag()}-`));
}

/** Takes the first kept network no other build holds, made when it is not there yet. */
export async function takeKeptNetwork(host: Host): Promise<KeptNetwork> {
  for (let n = 0; n < SLOTS; n++) {
    const project = `${KEPT_NETWORK_PREFIX}${rootTag()}-${n}`;
    const lock = tryStackLock(project, 'stack build: its network');
    if (!lock) continue; // another build's
    try {
      const recorded = (await readState.networkDir(project)).records.find((r) => r.key === 'build');
      let spec: NetworkSpec;
      let ready: Promise<void>;
      if (recorded) {
        spec = recorded;
        ready = Promise.all([host.networks.createBridge(spec), natInPlace(host, spec)]).then(() => undefined);
      } else {
        // Nothing readable recorded: what a damaged record left goes first, by its names.
        await removeBuildStack(host, project);
        await Promise.all([
          host.networks.removeBridge(bridgeName(project, 'build')),
          host.nat.remove(natTableName(project)),
        ]);
        spec = await chooseBuildNetwork(host, project);
        const made = spec;
        ready = createBuildNetwork(host, made).then(() => noteGeneration(host, made));
      }
      // Awaited by each step and by the release; handled here so a failure is not unhandled meanwhile.
      ready.catch(() => undefined);
      return {
        spec,
        ready,
        release: async () => {
          try {
            await ready.catch(() => undefined);
            const now = new Date();
            await fs.utimes(paths.stackDir(project), now, now).catch(() => undefined);
          } finally {
            lock.release();
          }
        },
      };
    } catch (err) {
      lock.release();
      throw err;
    }
  }
  throw new Error(`${SLOTS} builds are using a network already; wait for one to end, or build with --network none`);
}

const generationFileOf = (project: string): string => path.join(paths.stackDir(project), 'ruleset-generation');
const generationFile = (net: NetworkSpec): string => generationFileOf(net.project);

/** The ruleset's generation once the table is applied: while it stays the same, nothing changed it. */
async function noteGeneration(host: Host, net: NetworkSpec): Promise<void> {
  await fs.writeFile(generationFile(net), `${await host.nat.generation()}\n`, { mode: 0o600 });
}

/**
 * The table (and its accepts in other software's chains) applied again, unless the ruleset
 * has not changed since it was: nftables reads and rewrites it for ~40 ms of CPU in a fresh
 * process, most of a one-file rebuild's network cost, for a table that is almost always
 * there as it was. Any change of the ruleset by anyone (a firewall reload, dockerd's start,
 * another stack) raises the generation and so applies it again. A change in the moment
 * between the apply and the reading of the generation would go unseen until the next one.
 */
async function natInPlace(host: Host, net: NetworkSpec): Promise<void> {
  const noted = Number((await fs.readFile(generationFile(net), 'utf8').catch(() => '')).trim() || NaN);
  if (noted === (await host.nat.generation())) return;
  await host.nat.apply(buildNat(net));
  await noteGeneration(host, net);
}

/**
 * The namespaces that held the kept networks' bridges and tables are gone (rootless mode's
 * last `down` takes the user's namespaces): their noted generations are forgotten, so the
 * next build's take applies the table again in the new namespaces rather than trusting a
 * generation number a fresh ruleset may reach again.
 */
export async function forgetKeptNetworksApplied(): Promise<void> {
  for (const project of await keptNetworkProjects()) await fs.rm(generationFileOf(project), { force: true });
}

/**
 * Removes the kept networks no build holds that were last used `idleMs` ago or earlier
 * (0: every one); returns their projects.
 */
export async function removeKeptNetworks(host: Host, idleMs: number): Promise<string[]> {
  const idle: string[] = [];
  for (const project of await keptNetworkProjects()) {
    const used = (await fs.stat(paths.stackDir(project)).catch(() => undefined))?.mtimeMs ?? 0;
    if (Date.now() - used >= idleMs) idle.push(project);
  }
  return removeUnheldBuildStacks(host, idle, 'stack: removing an idle build network');
}
