#!/usr/bin/env node
// A/B of `stack build` on the build section's Dockerfile (bench/sections/build.mjs), two
// builds of stack interleaved run by run, so a machine loaded by other work slows both alike:
//   node bench/build-ab.mjs A_BIN B_BIN [--runs N] [--measure changed|nothing|cold]
// A_BIN and B_BIN are `bin/stack` of two builds (e.g. a copy of main's bin/ and dist/ and
// this tree's). Each has its own STACK_ROOT under a temp folder, removed at the end; the
// busybox image is imported into both. `changed` (default) appends a line to one source
// file before every build: the second COPY and the RUN after it run again. Reports wall
// time and CPU time (user + system of the command and its children): on a shared machine
// the wall time measures the other tenants as much as the build.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLayout } from './lib/images.mjs';
import { childrenCpuMs } from './lib/children-cpu.mjs';
import { abRoots } from './lib/ab-roots.mjs';
import { timed } from './lib/run.mjs';
import { summary } from './lib/stats.mjs';
import { makeContext } from './sections/build.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const [aBin, bBin] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!aBin || !bBin)
  throw new Error('usage: node bench/build-ab.mjs A_BIN B_BIN [--runs N] [--measure changed|nothing|cold]');
const runs = Number(opt('--runs', '10'));
const measure = opt('--measure', 'changed');

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-build-ab-'));
try {
  const layout = await buildLayout(path.join(root, 'oci'));
  const tools = abRoots(root, aBin, bBin, layout).map(({ label, bin, env }) => {
    const dir = makeContext(path.join(root, label, 'context'));
    const build = (flags) => {
      const cpu = childrenCpuMs();
      const { ms } = timed(bin, ['-f', path.join(dir, 'stack.yaml'), 'build', ...flags], { env });
      return { ms, cpu: childrenCpuMs() - cpu };
    };
    build([]); // warm the cache
    return { label, bin, env, dir, build, samples: [], cpu: [] };
  });
  for (let i = 0; i < runs; i++) {
    for (const t of i % 2 ? [...tools].reverse() : tools) {
      if (measure === 'changed') fs.appendFileSync(path.join(t.dir, 'src', 'f0.txt'), `edit ${i}\n`);
      const r = t.build(measure === 'cold' ? ['--no-cache'] : []);
      t.samples.push(r.ms);
      t.cpu.push(r.cpu);
    }
  }
  for (const t of tools) {
    const s = summary(t.samples);
    console.log(
      `${t.label} ${t.bin}: ${measure}, ${s.runs} runs: wall median ${s.median.toFixed(0)} ms (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}), CPU median ${summary(t.cpu).median.toFixed(0)} ms; load ${os.loadavg()[0].toFixed(1)}`,
    );
  }
  const [a, b] = tools.map((t) => summary(t.samples).median);
  const [ac, bc] = tools.map((t) => summary(t.cpu).median);
  console.log(`B/A: wall ${(b / a).toFixed(2)}, CPU ${(bc / ac).toFixed(2)}`);
} finally {
  for (const label of ['A', 'B']) {
    const env = { ...process.env, STACK_ROOT: path.join(root, label, 'lib'), STACK_RUN: path.join(root, label, 'run') };
    timed(label === 'A' ? aBin : bBin, ['image', 'prune', '--all'], { env, allowFailure: true });
  }
  fs.rmSync(root, { recursive: true, force: true });
}
