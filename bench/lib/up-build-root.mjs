// One build of stack for the `up` A/B benches (bench/up-ab.mjs, bench/up-trace-ab.mjs): its own
// STACK_ROOT, STACK_RUN and unit folder in a temp folder, with the busybox image imported.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { IMAGE } from './images.mjs';
import { privateRoot, repo as thisRepo } from './stack-bench-env.mjs';

/** `{ bin, env, root }` for the build in `repo`; `extraEnv` goes into its environment. */
export function upBuildRoot(repo, prefix, extraEnv = {}) {
  const { root, env } = privateRoot(prefix);
  Object.assign(env, extraEnv);
  const bin = path.join(repo, 'bin/stack');
  spawnSync(process.execPath, [
    path.join(thisRepo, 'scripts/build-busybox-image.mjs'),
    path.join(root, 'oci'),
    '--tag',
    IMAGE,
  ]);
  const r = spawnSync(bin, ['image', 'import', path.join(root, 'oci'), '--tag', IMAGE], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${bin} image import failed:\n${r.stderr}`);
  return { bin, env, root };
}
