// Runs the builds `decideBuilds` chose, in parallel along their graph: a build starts once
// the builds whose images it takes as contexts are done. After a failure nothing new
// starts; the builds already running finish (a half-built image is never stored), and
// every failure is reported together, named by the services that run the image.

import type { BuildJob } from './build-policy.js';
import { BuildsFailedError, type BuildFailure } from './builds-failed-error.js';

export { BuildsFailedError, type BuildFailure } from './builds-failed-error.js';

export async function runBuilds(jobs: readonly BuildJob[], build: (job: BuildJob) => Promise<void>): Promise<void> {
  const done = new Set<string>();
  const started = new Set<string>();
  const failures: BuildFailure[] = [];
  const running = new Set<Promise<void>>();
  const startReady = () => {
    if (failures.length > 0) return;
    for (const job of jobs) {
      if (started.has(job.ref) || !job.after.every((ref) => done.has(ref))) continue;
      started.add(job.ref);
      const p: Promise<void> = build(job)
        .then(
          () => void done.add(job.ref),
          (error: unknown) => void failures.push({ job, error }),
        )
        .finally(() => running.delete(p));
      running.add(p);
    }
  };
  startReady();
  while (running.size > 0) {
    await Promise.race(running);
    startReady();
  }
  if (failures.length > 0) throw new BuildsFailedError(failures);
}
