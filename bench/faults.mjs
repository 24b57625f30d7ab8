#!/usr/bin/env node
// Fault replay (issue 14): a 3-service stack (a published busybox httpd, a restart:always
// loop writing to a named volume, a sleeper) under a client loop on 127.0.0.1, and one fault
// per round on a fresh project: kill -9 of the supervisor at a random point of up, restart,
// exec or idle; each record file truncated, emptied, garbled or deleted, one at a time;
// STACK_ROOT on a 16 MiB tmpfs filled up. After each: `up -d` converges, nothing runs twice,
// `down` leaves nothing. Prints a table and every failure with its seed and fault; exits 1
// on any. Needs root and `npm run build`.
//   node bench/faults.mjs [--rounds N] [--seed S] [--only kill,record,full]   (N kill rounds, default 20)

import { parseArgs } from 'node:util';
import { DAMAGES, randomKill, recordFiles, replayRound } from './lib/fault-replay.mjs';
import { freePort, runStack, writeStack } from './lib/fault-stack.mjs';
import { benchEnv, hostInfo } from './lib/stack-bench-env.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '20' },
    seed: { type: 'string' },
    only: { type: 'string', default: 'kill,record,full' },
  },
});
const seed = Number(values.seed ?? Math.floor(Math.random() * 2 ** 31));
let state = seed;
/** mulberry32: the same --seed replays the same kill points. */
const random = () => {
  state = (state + 0x6d2b79f5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const disk = benchEnv('faults');
const full = benchEnv('faults-full', { tmpfs: '16m' });
const reports = [];
let n = 0;
async function round(ctx, fault) {
  const report = await replayRound(
    { ...ctx, project: `stkf${process.pid % 1000}r${n++}`, port: await freePort() },
    fault,
  );
  reports.push(report);
  const ok = report.problems.length + report.duplicates.length + report.leaks.length === 0;
  console.error(
    `${ok ? 'ok  ' : 'FAIL'} ${report.fault}: ${report.detail} (client ${report.client.ok} ok, ${report.client.failed} failed)`,
  );
}

try {
  const only = values.only.split(',');
  for (let i = 0; only.includes('kill') && i < Number(values.rounds); i++) {
    await round(disk, randomKill(random));
  }
  if (only.includes('record'))
    for (const file of await recordsOfTheStack(disk))
      for (const how of DAMAGES) await round(disk, { kind: 'record', file, how });
  if (only.includes('full')) await round(full, { kind: 'full' });
} finally {
  disk.dispose();
  full.dispose();
}

/** The record files the stack has while it runs, learnt from one up. */
async function recordsOfTheStack(ctx) {
  const project = `stkf${process.pid % 1000}probe`;
  const file = writeStack(ctx.root, project, await freePort());
  await runStack(ctx.env, ['-f', file, 'up', '-d']);
  const files = recordFiles(ctx.env, project);
  await runStack(ctx.env, ['-f', file, 'down', '-v', '-t', '0']);
  return files;
}

console.log(`fault replay, seed ${seed} (${hostInfo()})`);
console.log(
  '| fault | rounds | converged | leaks | duplicates | client requests ok / failed |\n| --- | ---: | ---: | ---: | ---: | ---: |',
);
for (const kind of ['kill', 'record', 'full']) {
  const mine = reports.filter((r) => r.fault === kind);
  if (mine.length === 0) continue;
  const count = (key) => mine.filter((r) => r[key].length > 0).length;
  const sum = (key) => mine.reduce((a, r) => a + r.client[key], 0);
  console.log(
    `| ${kind} | ${mine.length} | ${mine.length - count('problems')} | ${count('leaks')} | ${count('duplicates')} | ${sum('ok')} / ${sum('failed')} |`,
  );
}
const failed = reports.filter((r) => r.problems.length + r.duplicates.length + r.leaks.length > 0);
for (const r of failed) {
  console.log(`\nFAILED ${r.fault}: ${r.detail} (replay: node bench/faults.mjs --seed ${seed})`);
  for (const [what, list] of [
    ['problem', r.problems],
    ['runs twice', r.duplicates],
    ['left after down', r.leaks],
  ])
    for (const line of list) console.log(`  ${what}: ${line}`);
}
process.exitCode = failed.length > 0 ? 1 : 0;
