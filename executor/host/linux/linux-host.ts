// The real Host: each part lives in its own module; this file only assembles them. It is
// the one factory of the Linux Host (the supervisor's, and the CLI's for `run`, `exec`,
// `plan`): the parts a command may not need (the network, nftables, observe with the
// image store) load on their first call, so `stack exec` or a one-off of a bare image
// does not pay for reading their code.

import type { Host } from '../../host.js';
import { createLinuxAllocation } from '../../../store/allocation.js';
import { createLinuxContainers } from './container-runtime.js';
import { createStateStore } from '../../../store/state-store.js';
import { createLinuxVolumes } from '../../../store/volumes.js';

export function createLinuxHost(): Host {
  const state = createStateStore();
  const networks = loadedOnFirstCall(async () => (await import('./network.js')).createLinuxNetworks(), {
    createBridge: true,
    removeBridge: true,
    attach: true,
    detach: true,
    loopback: true,
    fixedResolver: true,
  });
  const nat: Host['nat'] = {
    ...loadedOnFirstCall(async () => (await import('./nat.js')).createLinuxNat(), {
      apply: true,
      remove: true,
      publish: true,
      unpublish: true,
    }),
    // One netlink request: asking it must not load nftables' part.
    generation: async () => (await import('./nft-generation.js')).rulesetGeneration(),
  };
  return {
    observe: async (project, opts) => (await import('./observe.js')).observeStack(project, opts),
    removeLeftoverCgroups: async (project) => (await import('./leftover-cgroups.js')).removeLeftoverCgroups(project),
    networks,
    nat,
    defaultBridge: loadedOnFirstCall(
      async () => (await import('./default-bridge.js')).createLinuxDefaultBridge(networks, nat),
      { join: true, leave: true },
    ),
    containers: createLinuxContainers(state),
    volumes: createLinuxVolumes(),
    allocation: {
      ...createLinuxAllocation(),
      takenSubnets: async (project) => (await import('./taken-subnets.js')).subnetsTaken(project),
    },
    state,
  };
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/** A part whose methods (all async; `methods` names every one) load it on the first call. */
function loadedOnFirstCall<T extends Record<keyof T, AsyncMethod>>(
  load: () => Promise<T>,
  methods: Record<keyof T, true>,
): T {
  let part: Promise<T> | undefined;
  const call =
    (name: keyof T) =>
    async (...args: never[]) => {
      part ??= load();
      return (await part)[name](...args);
    };
  return Object.fromEntries(Object.keys(methods).map((name) => [name, call(name as keyof T)])) as T;
}
