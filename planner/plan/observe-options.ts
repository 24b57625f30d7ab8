// What observe must look at for a given file: the host ports it publishes (their owners are
// looked up) and the host paths it needs to exist. `up`, `plan` and the supervisor all
// observe with these before reconcile.

import type { ObserveOptions } from '../../model/observed.js';
import type { Stack } from '../../model/types.js';
import { publishedPorts } from './check-host-ports.js';
import { requiredHostPaths } from './plan-mounts.js';

export function observeOptionsFor(stack: Stack): ObserveOptions {
  return { publishedPorts: publishedPorts(stack), hostPaths: requiredHostPaths(stack) };
}
