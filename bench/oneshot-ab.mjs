#!/usr/bin/env node
// A/B of the one-shot `stack run --rm --image … --network none -- /bin/true` (bench/sections/
// oneshot.mjs's command), two builds of stack interleaved run by run, so a machine loaded by
// other work slows both alike:
//   node bench/oneshot-ab.mjs A_BIN B_BIN [--runs N]
// A_BIN and B_BIN are `bin/stack` of two builds (e.g. a copy of main's bin/ and dist/ and this
// tree's). Each has its own STACK_ROOT under a temp folder, removed at the end. Reports the
// median CPU time (user + system of the command and its children, from bash's `times`, which
// has ms resolution where /proc's cutime has 10 ms) and the wall time.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildLayout, IMAGE } from './lib/images.mjs';
import { abRoots } from './lib/ab-roots.mjs';
import { summary } from './lib/stats.mjs';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 21;
const [aBin, bBin] = args.filter((a, i) => !a.startsWith('--') && i !== runsAt + 1).map((b) => path.resolve(b));
if (!aBin || !bBin) throw new Error('usage: node bench/oneshot-ab.mjs A_BIN B_BIN [--runs N]');

/** bench/sections/oneshot.mjs's command line. */
const ONE_SHOT = ['run', '--rm', '--image', IMAGE, '--network', 'none', '--', '/bin/true'];

/** `times`' second line: the children's user and system time, as `0m0.069s 0m0.040s`. */
const seconds = (t) => {
  const [, m, s] = /(\d+)m([\d.]+)s/.exec(t);
  return Number(m) * 60 + Number(s);
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-oneshot-ab-'));
try {
  const layout = await buildLayout(path.join(root, 'oci'));
  const tools = abRoots(root, aBin, bBin, layout).map(({ label, bin, env }) => {
    const run = () => {
      const t0 = performance.now();
      const r = spawnSync('bash', ['-c', '"$@" >/dev/null || exit 9; times', '_', bin, ...ONE_SHOT], {
        env,
        encoding: 'utf8',
        cwd: root,
      });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`${bin} run: ${r.stderr}`);
      const [user, sys] = r.stdout.trim().split('\n').pop().split(' ').map(seconds);
      return { ms, cpu: (user + sys) * 1000 };
    };
    run(); // its code cache
    return { label, bin, run, wall: [], cpu: [] };
  });
  for (let i = 0; i < runs; i++) {
    for (const t of i % 2 ? [...tools].reverse() : tools) {
      const r = t.run();
      t.wall.push(r.ms);
      t.cpu.push(r.cpu);
    }
  }
  for (const t of tools) {
    const w = summary(t.wall);
    console.log(
      `${t.label} ${t.bin}: ${w.runs} runs: CPU median ${summary(t.cpu).median.toFixed(1)} ms; wall median ${w.median.toFixed(0)} ms (min ${w.min.toFixed(0)}); load ${os.loadavg()[0].toFixed(1)}`,
    );
  }
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
