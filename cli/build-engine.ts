// The real build engine for cli/build-images.ts: images/build/'s buildImage, with RUN steps
// in containers of stack's runtime over the Linux host. Loaded only when something is built;
// the runtime (koffi, the host's bindings) only once a RUN step is not in the build cache,
// so a build all from the cache never loads it.

import { buildImage } from '../images/build/build-image.js';
import type { StepRunner } from '../images/build/build-request.js';
import type { BuildEngine } from './build-images.js';

export function buildEngine(): BuildEngine {
  return { buildImage, runner: lazyStepRunner };
}

function lazyStepRunner(): StepRunner {
  let runner: Promise<StepRunner> | undefined;
  const load = () =>
    (runner ??= Promise.all([
      import('../executor/build-step-runner.js'),
      import('../executor/host/linux/linux-host.js'),
    ]).then(([steps, linux]) => steps.makeBuildStepRunner(linux.createLinuxHost())));
  return {
    run: async (input, onOutput) => (await load()).run(input, onOutput),
    // A failure to load is reported by the step's `run`.
    prepare: (buildId, network) =>
      void load().then(
        (r) => r.prepare?.(buildId, network),
        () => undefined,
      ),
    // No step ran: nothing of the build's is on the host.
    end: async (buildId) => (runner ? (await runner).end(buildId) : undefined),
  };
}
