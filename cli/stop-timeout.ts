// `-t/--timeout N` of `up`, `stop`, `restart` and `down`: the grace period before SIGKILL,
// over each container's own stop_grace_period.

import { UsageError } from './usage-error.js';

/** Whole seconds, 0 or more (0: SIGKILL at once); undefined when not given. */
export function stopTimeoutSeconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(Number.isInteger(seconds) && seconds >= 0))
    throw new UsageError(`-t/--timeout takes whole seconds (0 or more), not "${value}"`);
  return seconds;
}
