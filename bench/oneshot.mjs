#!/usr/bin/env node
// One-shot container start: `/bin/true`, no network, the same busybox image, with
//   - stack, the CLI: `stack run --rm --image … --network none -- /bin/true` (wall time),
//   - stack, in-process: the runtime alone without the CLI's boot (record, prepare, spawn,
//     release, exit, cleanup), with the median of each phase, to see where time goes — with
//     the native init stage (dist/stack-init) and with the portable Node one,
//   - runc and crun on an OCI bundle of the same rootfs (crun refuses this host's hybrid
//     cgroups, so it runs in a private mount namespace with the cgroup2 mount detached).
// Median of N (default 30). Prints a Markdown table with the ratio to runc and writes
// bench/results/oneshot.json. Needs root and `npm run build`.
//   node bench/oneshot.mjs [RUNS] [--install-peers]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE, buildLayout } from './lib/images.mjs';
import { inProcessRuntime } from './lib/in-process.mjs';
import { crunTimingArgs, oneshotBundle, removeBundleCgroups } from './lib/oci-bundle.mjs';
import { quiet, timed } from './lib/run.mjs';
import { fmt, summary } from './lib/stats.mjs';
import { childrenCpuMs } from './lib/children-cpu.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const runs = Number(args.find((a) => /^\d+$/.test(a)) ?? 30);
const installPeers = args.includes('--install-peers');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-oneshot-'));
process.env.STACK_ROOT = path.join(tmp, 'lib');
process.env.STACK_RUN = path.join(tmp, 'run');
const stackBin = path.join(repo, 'bin/stack');
const timeRuns = path.join(repo, 'bench/lib/time-runs.mjs');

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function peer(cmd) {
  if (has(cmd)) return true;
  if (!installPeers) return false;
  return (
    quiet('apt-get', ['install', '-y', '-qq', cmd], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
      .status === 0 && has(cmd)
  );
}

/** Runs in the stack's own process: what a container costs without the CLI around it. */
async function inProcess(stage) {
  const { state, containers, spec: oneOff } = await inProcessRuntime(stage);
  let exited;
  containers.onExit((e) => exited?.(e));
  const phases = { prepare: [], spawn: [], 'release+run': [], cleanup: [] };
  const totals = [];
  for (let i = -2; i < runs; i++) {
    // two warm-up runs
    const spec = oneOff('_run', ['/bin/true'], `${stage}${i + 2}`);
    const exit = new Promise((r) => {
      exited = r;
    });
    const t = [performance.now()];
    await state.saveContainer('_run', { spec, status: 'creating' });
    await containers.prepare(spec);
    t.push(performance.now());
    await containers.spawn(spec, { attach: true });
    t.push(performance.now());
    await containers.release('_run', spec.name);
    const e = await exit;
    if (e.exitCode !== 0) throw new Error(`/bin/true exited ${e.exitCode}`);
    t.push(performance.now());
    await containers.cleanup('_run', spec.name);
    await state.removeContainer('_run', spec.name);
    t.push(performance.now());
    if (i < 0) continue;
    Object.keys(phases).forEach((k, j) => phases[k].push(t[j + 1] - t[j]));
    totals.push(t[4] - t[0]);
  }
  return { totals, phases: Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, summary(v).median])) };
}

const rows = [];
const row = (tool, fn) => {
  try {
    const stats = fn === undefined ? undefined : summary(fn());
    rows.push(stats ? { tool, stats } : { tool, absent: true });
  } catch (e) {
    rows.push({ tool, error: e.message });
  }
};

try {
  const layout = await buildLayout(path.join(tmp, 'oci'));
  timed(stackBin, ['image', 'import', layout, '--tag', IMAGE]);
  const cpu0 = childrenCpuMs();
  row('stack run --rm --image (CLI)', () =>
    Array.from(
      { length: runs },
      () => timed(stackBin, ['run', '--rm', '--image', IMAGE, '--network', 'none', '--', '/bin/true']).ms,
    ),
  );
  // The CLI's CPU (user + system; the container's /bin/true is in it too), mean per run.
  const cliCpuMs = (childrenCpuMs() - cpu0) / runs;
  const native = fs.existsSync(path.join(repo, 'dist/stack-init'));
  const inproc = native ? await inProcess('native') : undefined;
  row('stack runtime in-process, native init stage', inproc && (() => inproc.totals));
  const inprocNode = await inProcess('node');
  row('stack runtime in-process, Node init stage', () => inprocNode.totals);
  const runcOk = peer('runc');
  const crunOk = peer('crun');
  const dir = runcOk || crunOk ? oneshotBundle(layout, path.join(tmp, 'bundle')) : undefined;
  row(
    'runc',
    runcOk
      ? () =>
          JSON.parse(
            timed(process.execPath, [timeRuns, String(runs), '--', 'runc', 'run', '--bundle', dir, '{id}']).stdout,
          )
      : undefined,
  );
  row('crun', crunOk ? () => JSON.parse(timed('unshare', crunTimingArgs(timeRuns, runs, dir)).stdout) : undefined);
  removeBundleCgroups();

  const runc = rows.find((r) => r.tool === 'runc' && r.stats);
  const lines = [
    `One-shot container (/bin/true, no network, busybox), median of ${runs}, ${new Date().toISOString().slice(0, 10)}, ${os.release()}`,
    '',
    '| runtime | median ms | min ms | max ms | ratio to runc |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    if (!r.stats)
      lines.push(`| ${r.tool} | ${r.absent ? 'absent' : `failed: ${r.error.split('\n')[0].slice(0, 80)}`} | | | |`);
    else
      lines.push(
        `| ${r.tool} | ${fmt(r.stats.median)} | ${fmt(r.stats.min)} | ${fmt(r.stats.max)} | ${runc ? `${(r.stats.median / runc.stats.median).toFixed(2)}×` : '–'} |`,
      );
  }
  const phaseText = (p) =>
    Object.entries(p)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(', ');
  if (inproc) lines.push('', `in-process phases, native init stage (median ms): ${phaseText(inproc.phases)}`);
  lines.push(`in-process phases, Node init stage (median ms): ${phaseText(inprocNode.phases)}`);
  lines.push(
    `CPU of the CLI process (user + system), mean per run: ${fmt(cliCpuMs)} ms; load average ${os.loadavg()[0].toFixed(1)}`,
  );
  process.stdout.write(lines.join('\n') + '\n');
  fs.mkdirSync(path.join(repo, 'bench/results'), { recursive: true });
  fs.writeFileSync(
    path.join(repo, 'bench/results/oneshot.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        kernel: os.release(),
        runs,
        rows,
        cliCpuMs,
        loadavg: os.loadavg()[0],
        phases: { native: inproc?.phases, node: inprocNode.phases },
      },
      null,
      2,
    ) + '\n',
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
