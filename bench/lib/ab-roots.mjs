// The two builds of an A/B bench (bench/build-ab.mjs, bench/oneshot-ab.mjs): each with a
// STACK_ROOT and STACK_RUN of its own under `root`, and the busybox image of `layout`
// imported into it.

import path from 'node:path';
import { IMAGE } from './images.mjs';
import { timed } from './run.mjs';

/** `[{label: 'A', bin: aBin, env}, {label: 'B', bin: bBin, env}]`. */
export function abRoots(root, aBin, bBin, layout) {
  return [
    ['A', aBin],
    ['B', bBin],
  ].map(([label, bin]) => {
    const env = { ...process.env, STACK_ROOT: path.join(root, label, 'lib'), STACK_RUN: path.join(root, label, 'run') };
    timed(bin, ['image', 'import', layout, '--tag', IMAGE], { env });
    return { label, bin, env };
  });
}
