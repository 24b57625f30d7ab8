// Section 3: `up -d` and `down` of 1, 10 and 50 identical containers (one service each,
// so every tool runs the same file), and at 50 the resident memory and process count of
// each tool's own machinery.

import fs from 'node:fs';
import path from 'node:path';
import { compose, composeTools } from '../lib/compose-tools.mjs';
import { ownMemory } from '../lib/memory.mjs';
import { IMAGE } from '../lib/images.mjs';
import { sleep } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';

const MEMORY_TOOL = { stack: 'stack', 'docker-compose': 'docker', 'podman-compose': 'podman' };

function writeScaleFile(dir, n) {
  const lines = ['services:'];
  for (let i = 1; i <= n; i++)
    lines.push(`  c${i}:`, `    image: ${IMAGE}`, '    init: true', '    command: ["sleep", "86400"]');
  const file = path.join(dir, `scale-${n}.yaml`);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export async function scale(ctx) {
  const rows = [];
  for (const n of ctx.sizes) {
    const file = writeScaleFile(ctx.root, n);
    for (const tool of composeTools(ctx)) {
      const mUp = `${n} containers: up -d`,
        mDown = `${n} containers: down`;
      const mMem = `${n} containers: resident memory of the tool's own processes`,
        mProc = `${n} containers: the tool's own processes`;
      const names = n === Math.max(...ctx.sizes) ? [mUp, mDown, mMem, mProc] : [mUp, mDown];
      if (tool.absent) {
        for (const m of names) rows.push({ measurement: m, tool: tool.name, absent: true });
        continue;
      }
      const up = [],
        down = [],
        mem = [],
        procs = [];
      try {
        for (let i = 0; i < ctx.runs.scale; i++) {
          up.push(compose(tool, file, 'scale', ['up', '-d']).ms);
          if (names.includes(mMem)) {
            await sleep(1000); // let start-up transients (CLI, pulls of config) exit
            const m = ownMemory(MEMORY_TOOL[tool.name], ctx.repo);
            mem.push(m.rssMB);
            procs.push(m.count);
            ctx.log(`${tool.name} at ${n}: ${m.count} processes (${m.comms.join(', ')}), ${m.rssMB.toFixed(1)} MB`);
          }
          down.push(compose(tool, file, 'scale', ['down']).ms);
        }
        rows.push({ measurement: mUp, tool: tool.name, unit: 'ms', stats: summary(up) });
        rows.push({ measurement: mDown, tool: tool.name, unit: 'ms', stats: summary(down) });
        if (mem.length) {
          rows.push({ measurement: mMem, tool: tool.name, unit: 'MB', stats: summary(mem) });
          rows.push({ measurement: mProc, tool: tool.name, unit: 'processes', stats: summary(procs) });
        }
      } catch (e) {
        for (const m of names) rows.push({ measurement: m, tool: tool.name, error: e.message });
        try {
          compose(tool, file, 'scale', ['down']);
        } catch {
          // already down
        }
      }
    }
  }
  return rows;
}
