// Section 4, second half: `stack watch` edit-to-applied latency. The reference stack runs;
// each sample rewrites stack.yaml with a new value of BENCH_EDIT in `worker`'s environment
// and waits until a process with that value in its environment exists (the recreated
// container has exec'd its command).

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sleep, timed } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';

const M = 'watch: edit of one service env to its new container running';

function processWithEnv(entry) {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(entry)) return Number(pid);
    } catch {
      // gone or not ours to read
    }
  }
  return undefined;
}

export async function watch(ctx) {
  const src = fs.readFileSync(path.join(ctx.repo, 'bench/stacks/five/stack.yaml'), 'utf8');
  const file = path.join(ctx.root, 'watch', 'stack.yaml');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const port = String(await ctx.freePort());
  const env = { ...ctx.stackEnv, BENCH_WEB_PORT: port };
  const withEdit = (n) =>
    src.replace('  worker:\n', `  worker:\n    environment: {BENCH_EDIT: "${ctx.marker}-${n}"}\n`);
  fs.writeFileSync(file, withEdit(0));
  let watcher;
  try {
    timed(ctx.stackBin, ['-f', file, '-p', 'watchbench', 'up', '-d'], { env });
    watcher = spawn(ctx.stackBin, ['-f', file, '-p', 'watchbench', 'watch'], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    watcher.stderr.on('data', (d) => (stderr += d));
    await sleep(1500); // the watcher's first scan
    if (watcher.exitCode !== null)
      throw new Error(`stack watch exited ${watcher.exitCode}: ${stderr.trim().split('\n').pop()}`);
    const samples = [];
    for (let i = 1; i <= ctx.runs.watch; i++) {
      const t0 = performance.now();
      fs.writeFileSync(file, withEdit(i));
      while (!processWithEnv(`BENCH_EDIT=${ctx.marker}-${i}`)) {
        if (performance.now() - t0 > 20_000)
          throw new Error(`edit ${i} was not applied within 20 s: ${stderr.trim().split('\n').pop() ?? ''}`);
        await sleep(2);
      }
      samples.push(performance.now() - t0);
      await sleep(300);
    }
    return [{ measurement: M, tool: 'stack', unit: 'ms', stats: summary(samples) }];
  } catch (e) {
    return [{ measurement: M, tool: 'stack', error: e.message }];
  } finally {
    watcher?.kill('SIGTERM');
    await sleep(200);
    timed(ctx.stackBin, ['-f', file, '-p', 'watchbench', 'down'], { env, allowFailure: true });
  }
}
