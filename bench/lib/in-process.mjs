// The container runtime in the bench's own process (from dist/, so `npm run build` first):
// what a container costs without the CLI around it, for one init/exec stage.

import { IMAGE } from './images.mjs';

/** The runtime with `stage` ('native' or 'node') picked, and a one-off spec maker on the busybox image. */
export async function inProcessRuntime(stage) {
  // Read at every spawn (native-init.ts): 'node' picks the portable stages.
  process.env.STACK_INIT_STAGE = stage;
  const { createLinuxContainers } = await import('../../dist/executor/host/linux/container-runtime.js');
  const { createStateStore } = await import('../../dist/store/state-store.js');
  const { findImage } = await import('../../dist/images/image-store.js');
  const { oneOffSpec } = await import('../../dist/planner/plan/one-off.js');
  const { serviceDefaults } = await import('../../dist/planner/load/service-defaults.js');
  const { emptyObserved } = await import('../../dist/model/observed.js');
  const state = createStateStore();
  const containers = createLinuxContainers(state);
  const image = await findImage(IMAGE);
  const service = { ...serviceDefaults('busybox', IMAGE, { file: 'bench', line: 1, col: 1 }), networkMode: 'none' };
  /** A spec of project `project` running `command`, named after `id`. */
  const spec = (project, command, id) =>
    oneOffSpec(project, service, image, emptyObserved(project), { command, env: {}, id });
  return { state, containers, spec };
}
