#!/usr/bin/env node
// A/B of `stack plan` on the bench's generated stacks (bench/lib/plan-stack-file.mjs), two
// builds of stack interleaved run by run, so a machine loaded by other work slows both alike:
//   node bench/plan-ab.mjs A_BIN B_BIN [--runs N] [--sizes 10,1000]
// A_BIN and B_BIN are `bin/stack` of two builds (e.g. a copy of main's bin/ and dist/ and this
// tree's). Each has its own STACK_ROOT with the bench image imported, as in the bench's planner
// section; the plan's text is read through a pipe, as that section does. Reports, per size, the
// median CPU time (user + system, bench/lib/timed-cpu.mjs), that of the main thread alone
// (bench/lib/main-thread-cpu.cjs) and the median wall time.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLayout } from './lib/images.mjs';
import { abRoots } from './lib/ab-roots.mjs';
import { planStackFile } from './lib/plan-stack-file.mjs';
import { interleavedMedians, timedCpu } from './lib/timed-cpu.mjs';

const args = process.argv.slice(2);
const valueOf = (flag, fallback) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
const runs = Number(valueOf('--runs', 15));
const sizes = valueOf('--sizes', '10,1000').split(',').map(Number);
const [aBin, bBin] = args
  .filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'))
  .map((b) => path.resolve(b));
if (!aBin || !bBin) throw new Error('usage: node bench/plan-ab.mjs A_BIN B_BIN [--runs N] [--sizes 10,1000]');

/** Each run reports its main thread's CPU (what a quiet machine's wall time would be). */
const MAIN_THREAD = `--require ${path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib/main-thread-cpu.cjs')}`;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-plan-ab-'));
try {
  const layout = await buildLayout(path.join(root, 'oci'));
  const tools = abRoots(root, aBin, bBin, layout);
  for (const n of sizes) {
    const file = path.join(root, `plan-${n}.yaml`);
    fs.writeFileSync(file, planStackFile(n));
    const runners = tools.map(({ label, bin, env }) => {
      const run = () => timedCpu(bin, ['-f', file, 'plan'], { env: { ...env, NODE_OPTIONS: MAIN_THREAD }, cwd: root });
      run(); // its code cache
      return { label, bin, run };
    });
    for (const line of interleavedMedians(runners, runs, `${n} services, `)) console.log(line);
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
