// Section 5: `stack plan` wall time (process start included) for generated stacks of
// 10, 100 and 1000 services against an empty host state.

import fs from 'node:fs';
import path from 'node:path';
import { planStackFile } from '../lib/plan-stack-file.mjs';
import { timed } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';

export async function planner(ctx) {
  const rows = [];
  for (const n of [10, 100, 1000]) {
    const file = path.join(ctx.root, `plan-${n}.yaml`);
    fs.writeFileSync(file, planStackFile(n));
    const m = `plan of ${n} services (CLI wall)`;
    try {
      const s = [];
      for (let i = 0; i < ctx.runs.planner; i++)
        s.push(timed(ctx.stackBin, ['-f', file, 'plan'], { env: ctx.stackEnv }).ms);
      rows.push({ measurement: m, tool: 'stack', unit: 'ms', stats: summary(s) });
    } catch (e) {
      rows.push({ measurement: m, tool: 'stack', error: e.message });
    }
  }
  return rows;
}
