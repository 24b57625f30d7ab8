// Global setup: snapshot host objects before the suite and fail the run if any new `stk`
// object is still there at the end (a test leaked it), or if an object no live stack
// accounts for (orphans.ts: its STACK_ROOT or records are gone) was there from the start
// and still is: the before/after diff alone never sees those.

import { newObjects, snapshotHostObjects } from './host-objects.js';
import { readHostView } from './host-view.js';
import { classifyOrphans, orphanReport, type Orphan } from './orphans.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long a candidate orphan must stay one: another run's one-off `stack run` has its
 * cgroup a moment before its process is in it, a stack coming up its table before its
 * supervisor is found.
 */
const RECHECK_MS = 2000;

export default async function setup(): Promise<() => Promise<void>> {
  return startLeakCheck();
}

/** The check as the suite runs it; a test of it passes a shorter re-check. */
export async function startLeakCheck(recheckMs = RECHECK_MS): Promise<() => Promise<void>> {
  const before = snapshotHostObjects();
  const orphansAtStart = await lastingOrphans(recheckMs);
  return async () => {
    // Give exiting processes a moment to be reaped before judging.
    let leaks = newObjects(before, snapshotHostObjects());
    for (let i = 0; i < 20 && Object.keys(leaks).length > 0; i++) {
      await sleep(100);
      leaks = newObjects(before, snapshotHostObjects());
    }
    // Those still there and still orphans (another run may have removed one meanwhile).
    const orphans = orphansAtStart.length > 0 ? common(orphansAtStart, classifyOrphans(readHostView())) : [];
    const failures = [
      ...(Object.keys(leaks).length > 0
        ? [`leak check failed: the suite left host objects behind:\n${JSON.stringify(leaks, null, 2)}`]
        : []),
      ...(orphans.length > 0 ? [orphanReport(orphans)] : []),
    ];
    if (failures.length > 0) {
      // vitest prints an error thrown here ("error during close") and still exits 0: the
      // exit code is what makes the leak fail `npm test` and CI.
      process.exitCode = 1;
      throw new Error(failures.join('\n'));
    }
    process.stdout.write('leak check: no stk links, nft tables, mounts, cgroups or stack processes left behind\n');
  };
}

/** Orphans now that are orphans again after `recheckMs` (none: no wait). */
async function lastingOrphans(recheckMs: number): Promise<Orphan[]> {
  const first = classifyOrphans(readHostView());
  if (first.length === 0) return [];
  await sleep(recheckMs);
  return common(first, classifyOrphans(readHostView()));
}

/** The orphans of `later` with only the objects `earlier` had as orphans too. */
function common(earlier: Orphan[], later: Orphan[]): Orphan[] {
  const seen = new Set(earlier.flatMap((o) => o.objects));
  return later
    .map((o) => ({ ...o, objects: o.objects.filter((x) => seen.has(x)) }))
    .filter((o) => o.objects.length > 0);
}
