#!/usr/bin/env node
// A/B of the one-shot `stack run --rm --image … --network none -- /bin/true` (bench/sections/
// oneshot.mjs's command), two builds of stack interleaved run by run, so a machine loaded by
// other work slows both alike:
//   node bench/oneshot-ab.mjs A_BIN B_BIN [--runs N]
// A_BIN and B_BIN are `bin/stack` of two builds (e.g. a copy of main's bin/ and dist/ and this
// tree's). Each has its own STACK_ROOT under a temp folder, removed at the end. Reports the
// median CPU time (user + system of the command and its children, bench/lib/timed-cpu.mjs)
// and the wall time.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLayout, IMAGE } from './lib/images.mjs';
import { abRoots } from './lib/ab-roots.mjs';
import { interleavedMedians, timedCpu } from './lib/timed-cpu.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 21;
const [aBin, bBin] = args.filter((a, i) => !a.startsWith('--') && i !== runsAt + 1).map((b) => path.resolve(b));
if (!aBin || !bBin) throw new Error('usage: node bench/oneshot-ab.mjs A_BIN B_BIN [--runs N]');

/** bench/sections/oneshot.mjs's command line. */
const ONE_SHOT = ['run', '--rm', '--image', IMAGE, '--network', 'none', '--', '/bin/true'];

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-oneshot-ab-'));
try {
  const layout = await buildLayout(path.join(root, 'oci'));
  const tools = abRoots(root, aBin, bBin, layout).map(({ label, bin, env }) => {
    const run = () => timedCpu(bin, ONE_SHOT, { env, cwd: root, discard: true });
    run(); // its code cache
    return { label, bin, run };
  });
  for (const line of interleavedMedians(tools, runs)) console.log(line);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
