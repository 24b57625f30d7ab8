// The generated stack file of the `plan` bench (bench/sections/planner.mjs, bench/plan-ab.mjs):
// N services of the bench image, each with a command, one environment variable and (but the
// first) a dependency, on a default network big enough for all of them.

import { IMAGE } from './images.mjs';

/** The text of the N-service file. */
export function planStackFile(n) {
  const lines = ['name: plan', 'services:'];
  for (let i = 1; i <= n; i++) {
    lines.push(`  s${i}:`, `    image: ${IMAGE}`, `    command: ["sleep", "${i}"]`, `    environment: {INDEX: "${i}"}`);
    if (i > 1) lines.push(`    depends_on: [s${Math.ceil(i / 2)}]`);
  }
  // Automatic subnets are /24s (253 addresses); a big stack declares a bigger one.
  lines.push('networks:', '  default:', '    ipam: {config: [{subnet: 10.124.0.0/20}]}');
  return `${lines.join('\n')}\n`;
}
