// The real Host: each part lives in its own module; this file only assembles them.

import type { Host } from '../../host.js';
import { createLinuxAllocation } from '../../../store/allocation.js';
import { createLinuxContainers } from './container-runtime.js';
import { createLinuxNat } from './nat.js';
import { createLinuxNetworks } from './network.js';
import { observeStack } from './observe.js';
import { createStateStore } from '../../../store/state-store.js';
import { createLinuxVolumes } from '../../../store/volumes.js';

export function createLinuxHost(): Host {
  const state = createStateStore();
  return {
    observe: observeStack,
    networks: createLinuxNetworks(),
    nat: createLinuxNat(),
    containers: createLinuxContainers(state),
    volumes: createLinuxVolumes(),
    allocation: createLinuxAllocation(),
    state,
  };
}
