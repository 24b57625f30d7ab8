// The real build engine for cli/build-images.ts: images/build/'s buildImage, with RUN steps
// in containers of stack's runtime over the Linux host. Loaded only when something is built.

import { buildImage } from '../images/build/build-image.js';
import { makeBuildStepRunner } from '../executor/build-step-runner.js';
import { createLinuxHost } from '../executor/host/linux/linux-host.js';
import type { BuildEngine } from './build-images.js';

export function buildEngine(): BuildEngine {
  return { buildImage, runner: () => makeBuildStepRunner(createLinuxHost()) };
}
