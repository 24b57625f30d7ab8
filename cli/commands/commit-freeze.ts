// `stack commit --pause`: the committed container, and only it, is frozen while its layer is
// written, so the layer is one moment's files. The freeze is not a `stack pause` (no record
// says paused), and it is undone whatever ends the commit: its finally, or SIGINT, SIGTERM or
// SIGHUP, which thaw before the process ends with 128 + the signal. A SIGKILL skips both; the
// next plan thaws a container frozen with no pause recorded (planner/plan/thaw-stray.ts).
// The stack's lock is held meanwhile, so no `up` thaws it mid-snapshot.

import os from 'node:os';
import type { Host } from '../../executor/host.js';
import { withStackLock } from '../with-lock.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function whileFrozen<T>(
  host: Host,
  project: string,
  name: string,
  body: () => Promise<T>,
  /** What must go too when a signal ends the process (a half-written blob). */
  onSignal: () => void = () => {},
): Promise<T> {
  return withStackLock(project, 'stack commit --pause', async () => {
    let thawing: Promise<void> | undefined;
    let freezing: Promise<void> | undefined;
    const thaw = () => (thawing ??= host.containers.freeze(project, name, false));
    // A signal may come while the freeze is still under way (v1 moves the processes into
    // the freezer and writes FROZEN again until none is left outside): a thaw then could
    // land before the freeze's last write. So the thaw waits for the freeze to settle.
    const interrupted = (signal: (typeof SIGNALS)[number]) => {
      void Promise.resolve(freezing)
        .catch(() => {})
        .then(thaw)
        .catch(() => {})
        .finally(() => {
          onSignal();
          process.exit(128 + os.constants.signals[signal]);
        });
    };
    for (const s of SIGNALS) process.on(s, interrupted);
    try {
      freezing = host.containers.freeze(project, name, true);
      await freezing;
      return await body();
    } finally {
      await thaw();
      for (const s of SIGNALS) process.off(s, interrupted);
    }
  });
}
