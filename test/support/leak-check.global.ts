// Global setup: snapshot host objects before the suite and fail the run if any new `stk`
// object is still there at the end (a test leaked it).

import { newObjects, snapshotHostObjects } from './host-objects.js';

export default function setup(): () => Promise<void> {
  const before = snapshotHostObjects();
  return async () => {
    // Give exiting processes a moment to be reaped before judging.
    let leaks = newObjects(before, snapshotHostObjects());
    for (let i = 0; i < 20 && Object.keys(leaks).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      leaks = newObjects(before, snapshotHostObjects());
    }
    if (Object.keys(leaks).length > 0) {
      throw new Error(`leak check failed: the suite left host objects behind:\n${JSON.stringify(leaks, null, 2)}`);
    }
    process.stdout.write('leak check: no stk links, nft tables, mounts, cgroups or stack processes left behind\n');
  };
}
