#!/usr/bin/env node
// installFixedResolver (the 127.0.0.11 table in a container's network namespace) of two or
// more builds against each other: per install, wall time, the calling (main) thread's CPU and
// the whole process's CPU (threadpool threads included). Each round runs one child process per
// build, alternating the order; a child makes its own fresh namespaces (`unshare -n sleep`,
// unnamed, gone with their holders), binds libnftables as a supervisor does before its first
// plan (openHostContext), then times one install per namespace: the first of the process
// apart (its code runs for the first time), then the later ones. Needs root and built trees:
//   nice -n -15 node bench/fixed-resolver-ab.mjs [--rounds=N] [--per=M] TREE_A TREE_B ...

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { summary } from './lib/stats.mjs';

const GATEWAY = '10.251.9.1';
/** Two decimals: an install is ~0.1–2 ms. */
const fmt = (n) => n.toFixed(2);

/**
 * The calling thread's CPU so far, ms: clock_gettime(CLOCK_THREAD_CPUTIME_ID) through the
 * tree's own koffi. A running thread's schedstat lags until the next tick, ~1 ms here.
 */
function threadCpu(tree) {
  const koffi = createRequire(path.join(tree, 'package.json'))('koffi');
  const timespec = koffi.struct({ sec: 'int64', nsec: 'int64' });
  const clockGettime = koffi
    .load('libc.so.6')
    .func('clock_gettime', 'int', ['int', koffi.out(koffi.pointer(timespec))]);
  const CLOCK_THREAD_CPUTIME_ID = 3;
  return () => {
    const t = {};
    clockGettime(CLOCK_THREAD_CPUTIME_ID, t);
    return Number(t.sec) * 1e3 + Number(t.nsec) / 1e6;
  };
}
/** The whole process's CPU so far, ms (getrusage: every thread, up to date). */
const processCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e3;
};

async function child(tree, per) {
  const linux = (file) => import(pathToFileURL(path.join(tree, 'dist/executor/host/linux', file)).href);
  const { installFixedResolver } = await linux('fixed-resolver.js');
  (await linux('libnftables.js')).openHostContext();
  const holders = Array.from({ length: per + 1 }, () => spawn('unshare', ['-n', 'sleep', '60'], { stdio: 'ignore' }));
  const own = fs.readlinkSync('/proc/self/ns/net');
  for (const h of holders)
    while (fs.readlinkSync(`/proc/${h.pid}/ns/net`) === own) await new Promise((r) => setTimeout(r, 1));
  const mainCpu = threadCpu(tree);
  // Their first readings here are off: the thread clock read through koffi jumped by up to
  // ~0.7 ms between its first calls. The first install's main thread figure stays rough.
  for (let i = 0; i < 3; i++) (mainCpu(), processCpu());
  const out = [];
  try {
    for (const h of holders) {
      const [main0, all0, t0] = [mainCpu(), processCpu(), performance.now()];
      await installFixedResolver(h.pid, GATEWAY);
      out.push({ wall: performance.now() - t0, main: mainCpu() - main0, all: processCpu() - all0 });
    }
  } finally {
    for (const h of holders) h.kill('SIGKILL');
  }
  process.stdout.write(JSON.stringify(out));
}

const args = process.argv.slice(2);
const opt = (name, dflt) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const per = opt('per', 5);
if (args[0] === '--child') {
  await child(args[1], per);
} else {
  const rounds = opt('rounds', 11);
  const trees = args.filter((a) => !a.startsWith('--')).map((t) => path.resolve(t));
  if (trees.length < 1)
    throw new Error('usage: node bench/fixed-resolver-ab.mjs [--rounds=N] [--per=M] TREE_A TREE_B ...');
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS; // ~50 ms per Node start, and nothing here talks TLS
  const samples = trees.map(() => ({ wall: [], main: [], all: [], firstWall: [], firstMain: [] }));
  for (let round = 0; round < rounds; round++) {
    const order = trees.map((_, i) => i);
    for (const i of round % 2 ? order.reverse() : order) {
      const r = spawnSync(process.execPath, [import.meta.filename, '--child', trees[i], `--per=${per}`], {
        env,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`${trees[i]}: ${r.stderr}`);
      const [first, ...later] = JSON.parse(r.stdout);
      samples[i].firstWall.push(first.wall);
      samples[i].firstMain.push(first.main);
      for (const s of later) for (const k of ['wall', 'main', 'all']) samples[i][k].push(s[k]);
    }
  }
  const load = os.loadavg()[0].toFixed(1);
  console.log(`installFixedResolver, ${rounds} rounds × (1 + ${per}) installs, medians, load average ${load}\n`);
  console.log('| build | first: wall, main thread CPU | later: wall (min), main thread CPU, process CPU |');
  console.log('| --- | ---: | ---: |');
  trees.forEach((t, i) => {
    const m = (k) => fmt(summary(samples[i][k]).median);
    const min = fmt(summary(samples[i].wall).min);
    console.log(
      `| ${t} | ${m('firstWall')}, ${m('firstMain')} ms | ${m('wall')} (${min}), ${m('main')}, ${m('all')} ms |`,
    );
  });
}
