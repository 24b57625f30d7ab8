// One command's wall time and CPU time (user + system of the command and its children), for
// the A/B benches. The CPU time comes from bash's `times`, which has ms resolution where
// /proc's cutime has 10 ms.

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { summary } from './stats.mjs';

/** `times`' second line: the children's user and system time, as `0m0.069s 0m0.040s`. */
const seconds = (t) => {
  const [, m, s] = /(\d+)m([\d.]+)s/.exec(t);
  return Number(m) * 60 + Number(s);
};

/**
 * Runs `bin ...args` through bash; returns `{ ms, cpu }` in ms, and `mainCpu` when the command
 * reports its main thread's CPU (bench/lib/main-thread-cpu.cjs). Its stdout is read through a
 * pipe as the bench's `timed` does, unless `discard` sends it to /dev/null.
 */
export function timedCpu(bin, args, { env, cwd, discard = false }) {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', `"$@" ${discard ? '>/dev/null ' : ''}|| exit 9; times`, '_', bin, ...args], {
    env,
    cwd,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')}: ${r.stderr}`);
  const [user, sys] = r.stdout.trim().split('\n').pop().split(' ').map(seconds);
  const main = /stack-main-thread-cpu-ms ([\d.]+)/.exec(r.stderr);
  return { ms, cpu: (user + sys) * 1000, ...(main ? { mainCpu: Number(main[1]) } : {}) };
}

/**
 * Runs each of `runners` (`{ label, bin, run }`, `run` returning `timedCpu`'s result) `runs`
 * times, interleaved and in alternating order, so a machine loaded by other work slows all
 * alike. Returns one line per runner: its median CPU and wall times.
 */
export function interleavedMedians(runners, runs, prefix = '') {
  const samples = runners.map(() => ({ wall: [], cpu: [], main: [] }));
  for (let i = 0; i < runs; i++) {
    const order = runners.map((_, k) => k);
    for (const k of i % 2 ? order.reverse() : order) {
      const r = runners[k].run();
      samples[k].wall.push(r.ms);
      samples[k].cpu.push(r.cpu);
      if (r.mainCpu !== undefined) samples[k].main.push(r.mainCpu);
    }
  }
  return runners.map((t, k) => {
    const w = summary(samples[k].wall);
    const cpu = summary(samples[k].cpu).median;
    const main = summary(samples[k].main)?.median;
    const mainText = main === undefined ? '' : ` (main thread ${main.toFixed(1)} ms)`;
    return `${prefix}${t.label} ${t.bin}: ${w.runs} runs: CPU median ${cpu.toFixed(1)} ms${mainText}; wall median ${w.median.toFixed(0)} ms (min ${w.min.toFixed(0)}); load ${os.loadavg()[0].toFixed(1)}`;
  });
}
