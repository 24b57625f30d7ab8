#!/usr/bin/env node
// One exec into a running container — what `stack exec` and every healthcheck probe cost
// in the runtime, without the CLI's boot: containers.exec of `/bin/true` into a busybox
// container, with the native exec stage (dist/stack-init) and with the portable Node one.
// Median of N (default 50) after two warm-up runs. Needs root and `npm run build`.
//   node bench/exec.mjs [RUNS]

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE, buildLayout } from './lib/images.mjs';
import { inProcessRuntime } from './lib/in-process.mjs';
import { timed } from './lib/run.mjs';
import { fmt, summary } from './lib/stats.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 50);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-exec-bench-'));
process.env.STACK_ROOT = path.join(tmp, 'lib');
process.env.STACK_RUN = path.join(tmp, 'run');

async function execTimes(stage) {
  const { state, containers, spec: oneOff } = await inProcessRuntime(stage);
  const spec = oneOff('_exec', ['sleep', '1000'], stage);
  await containers.prepare(spec);
  const { pid, startTime } = await containers.spawn(spec);
  await state.saveContainer('_exec', { spec, status: 'running', pid, startTime });
  await containers.release('_exec', spec.name);
  const times = [];
  try {
    for (let i = -2; i < runs; i++) {
      const t = performance.now();
      const code = await containers.exec('_exec', spec.name, { argv: ['/bin/true'] });
      if (code !== 0) throw new Error(`/bin/true exited ${code}`);
      if (i >= 0) times.push(performance.now() - t);
    }
  } finally {
    await containers.stop('_exec', spec.name, 'SIGKILL', 0);
    await containers.cleanup('_exec', spec.name);
    await state.removeContainer('_exec', spec.name);
  }
  return summary(times);
}

try {
  timed(path.join(repo, 'bin/stack'), ['image', 'import', await buildLayout(path.join(tmp, 'oci')), '--tag', IMAGE]);
  const lines = [
    `containers.exec of /bin/true into a running busybox container, median of ${runs}, ${os.release()}`,
    '',
    '| exec stage | median ms | min ms | max ms |',
    '| --- | ---: | ---: | ---: |',
  ];
  for (const stage of fs.existsSync(path.join(repo, 'dist/stack-init')) ? ['native', 'node'] : ['node']) {
    const s = await execTimes(stage);
    lines.push(`| ${stage} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} |`);
  }
  process.stdout.write(lines.join('\n') + '\n');
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
