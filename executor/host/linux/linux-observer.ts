// The observing part of the Linux Host alone, for a command that only reads the host
// (`stack plan`): the same observe the supervisor's Host has (linux-host.ts), without the
// container runtime's code to load.

import type { Host } from '../../host.js';
import { observeStack } from './observe.js';

export function createLinuxObserver(): Pick<Host, 'observe'> {
  return { observe: observeStack };
}
