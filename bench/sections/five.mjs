// Section 2 and the first half of 4: the reference 5-service stack (bench/stacks/five/).
// `up -d` until every service runs and the published port answers, then `down`, N cycles
// per tool; and a no-op `up -d` on the running stack.

import path from 'node:path';
import { compose, composeTools } from '../lib/compose-tools.mjs';
import { waitForHttp } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';

export async function five(ctx) {
  const file = path.join(ctx.repo, 'bench/stacks/five/stack.yaml');
  const rows = [];
  for (const tool of composeTools(ctx)) {
    const names = [
      '5-service stack: up -d until the port answers',
      '5-service stack: down',
      '5-service stack: no-op up -d',
    ];
    if (tool.absent) {
      for (const m of names) rows.push({ measurement: m, tool: tool.name, absent: true });
      continue;
    }
    const up = [],
      down = [],
      noop = [];
    const port = String(await ctx.freePort());
    const env = { BENCH_WEB_PORT: port };
    try {
      for (let i = 0; i < ctx.runs.five; i++) {
        const t0 = performance.now();
        compose(tool, file, 'five', ['up', '-d'], env);
        await waitForHttp(Number(port));
        up.push(performance.now() - t0);
        noop.push(compose(tool, file, 'five', ['up', '-d'], env).ms);
        down.push(compose(tool, file, 'five', ['down'], env).ms);
      }
      rows.push({ measurement: names[0], tool: tool.name, unit: 'ms', stats: summary(up) });
      rows.push({ measurement: names[1], tool: tool.name, unit: 'ms', stats: summary(down) });
      rows.push({ measurement: names[2], tool: tool.name, unit: 'ms', stats: summary(noop) });
    } catch (e) {
      for (const m of names) rows.push({ measurement: m, tool: tool.name, error: e.message });
      try {
        compose(tool, file, 'five', ['down'], env);
      } catch {
        // already down
      }
    }
  }
  return rows;
}
