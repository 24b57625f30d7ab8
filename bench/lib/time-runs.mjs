#!/usr/bin/env node
// Times N runs of one command from inside whatever namespace this script was started in
// (crun has to run in a private mount namespace here), so every runtime is timed the same
// way: spawnSync wall time. `{id}` in an argument becomes a fresh id per run.
//   node time-runs.mjs RUNS [--umount PATH] -- CMD ARGS…   → prints a JSON array of ms

import { spawnSync } from 'node:child_process';

const argv = process.argv.slice(2);
const runs = Number(argv.shift());
const sep = argv.indexOf('--');
const opts = argv.slice(0, sep);
const [cmd, ...args] = argv.slice(sep + 1);
const umount = opts.indexOf('--umount');
if (umount >= 0) {
  // The hybrid host's cgroup2 mount makes crun refuse to run; this namespace drops it.
  const r = spawnSync('umount', [opts[umount + 1]], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`umount ${opts[umount + 1]}: ${r.stderr}`);
}
const samples = [];
for (let i = 0; i < runs; i++) {
  const id = `stkbench-${process.pid}-${i}`;
  const t0 = performance.now();
  const r = spawnSync(
    cmd,
    args.map((a) => a.replaceAll('{id}', id)),
    { encoding: 'utf8' },
  );
  const ms = performance.now() - t0;
  if (r.status !== 0) {
    process.stderr.write(`${cmd} exited ${r.status}: ${r.stderr}`);
    process.exit(1);
  }
  samples.push(ms);
}
process.stdout.write(JSON.stringify(samples));
