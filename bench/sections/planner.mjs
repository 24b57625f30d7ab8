// Section 5: `stack plan` wall time (process start included) for generated stacks of
// 10, 100 and 1000 services against an empty host state.

import fs from 'node:fs';
import path from 'node:path';
import { IMAGE } from '../lib/images.mjs';
import { timed } from '../lib/run.mjs';
import { summary } from '../lib/stats.mjs';

export async function planner(ctx) {
  const rows = [];
  for (const n of [10, 100, 1000]) {
    const lines = ['name: plan', 'services:'];
    for (let i = 1; i <= n; i++) {
      lines.push(
        `  s${i}:`,
        `    image: ${IMAGE}`,
        `    command: ["sleep", "${i}"]`,
        `    environment: {INDEX: "${i}"}`,
      );
      if (i > 1) lines.push(`    depends_on: [s${Math.ceil(i / 2)}]`);
    }
    // Automatic subnets are /24s (253 addresses); a big stack declares a bigger one.
    lines.push('networks:', '  default:', '    ipam: {config: [{subnet: 10.124.0.0/20}]}');
    const file = path.join(ctx.root, `plan-${n}.yaml`);
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
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
